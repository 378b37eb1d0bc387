"""What the cockpit needs beyond Alertmanager's tables: RE2, the filter box, round trips, layering."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cockpit.core.matchers import (
    Matcher,
    MatcherError,
    compile_regex,
    looks_like_matchers,
    matchers_match,
    parse_filter,
    parse_matcher,
    parse_matchers,
    validate_matcher_texts,
)

CORE = Path(__file__).resolve().parents[1] / "cockpit" / "core"


def triples(matchers: list[Matcher]) -> list[tuple[str, str, str]]:
    return [(m.name, m.op, m.value) for m in matchers]


# --- regular expressions: RE2, anchored ------------------------------------------------------

@pytest.mark.parametrize(
    ("pattern", "value", "hit"),
    [
        ("(?i)kube.*", "KubePodCrashLooping", True),
        ("kube.*", "KubePodCrashLooping", False),
        ("(?s)a.b", "a\nb", True),
        ("a.b", "a\nb", False),
        ("prod|staging", "prod-eu", False),  # anchored around the whole alternation
        (r"\d+", "١٢", False),  # \d is ASCII in RE2, as in Go
        (r"\pL+", "été", True),
        ("", "", True),
    ],
)
def test_regexes_are_re2_and_fully_anchored(pattern: str, value: str, hit: bool) -> None:
    assert Matcher("x", "=~", pattern).matches({"x": value}) is hit
    assert Matcher("x", "!~", pattern).matches({"x": value}) is not hit


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(?!x)", "error parsing regexp: invalid or unsupported Perl syntax: `(?!`"),
        ("(?<=x)y", "error parsing regexp: invalid or unsupported Perl syntax: `(?<=`"),
        (r"(a)\1", r"error parsing regexp: invalid escape sequence: `\1`"),
        ("a**", "error parsing regexp: invalid nested repetition operator: `**`"),
        ("x{1001}", "error parsing regexp: invalid repeat count: `{1001}`"),
        ("(x", "error parsing regexp: missing closing ): `^(?:(x)$`"),
    ],
)
def test_what_re2_refuses_is_a_matcher_error_in_go_words(pattern: str, message: str, capfd) -> None:
    with pytest.raises(MatcherError) as info:
        compile_regex(pattern)
    assert str(info.value) == message
    with pytest.raises(MatcherError):
        parse_matchers(f'x=~"{pattern}"')
    assert capfd.readouterr().err == ""  # RE2 logs nothing over the TUI


def test_a_lone_surrogate_in_a_label_value_does_not_crash_matching() -> None:
    assert Matcher("x", "=~", "a.").matches({"x": "a\ud800"})


# --- syntax the cockpit relies on --------------------------------------------------------------

def test_quoted_names_and_escapes() -> None:
    parsed = parse_matchers(r'{"service.name"="check\x2dout", "k8s pod"=~"\u00e9.*", env!="\U0001F642"}')
    assert triples(parsed) == [("service.name", "=", "check-out"), ("k8s pod", "=~", "é.*"), ("env", "!=", "🙂")]
    assert triples(parse_matchers("service.name=checkout")) == [("service.name", "=", "checkout")]
    # the classic parser wins when it accepts, as in Alertmanager: no \u escapes there
    assert triples(parse_matchers(r'foo="\u00e9"')) == [("foo", "=", r"\u00e9")]
    assert triples(parse_matchers(r'foo="\u00e9"', mode="utf8")) == [("foo", "=", "é")]


def test_the_parts_of_the_old_quoted_values_test_that_alertmanager_agrees_with() -> None:
    parsed = parse_matchers(r'summary="a, b \"c\"", path=~"api\.v1/.*"')
    assert triples(parsed) == [("summary", "=", 'a, b "c"'), ("path", "=~", r"api\.v1/.*")]
    assert parsed[1].matches({"path": "api.v1/users"}) and not parsed[1].matches({"path": "apixv1/users"})


def test_one_matcher_as_amtool_and_the_api_filter_read_it() -> None:
    assert triples([parse_matcher("a=b,c=d")]) == [("a", "=", "b,c=d")]
    with pytest.raises(MatcherError, match="unexpected open or close brace"):
        parse_matcher("{a=b}")
    with pytest.raises(ValueError, match="bad matcher"):
        validate_matcher_texts(["{a=b}"], single=True)
    assert validate_matcher_texts(["a=b, c=d"]) == ["a=b, c=d"]
    with pytest.raises(ValueError, match="unknown matcher parsing mode"):
        parse_matchers("a=b", mode="strict")


# --- the Alerts panel's filter box ------------------------------------------------------------

LABELS = {"alertname": "KubePodCrashLooping", "severity": "critical", "service": "checkout"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('alertname=~"Kube.*" severity!=info', [("alertname", "=~", "Kube.*"), ("severity", "!=", "info")]),
        ("severity=critical service=checkout", [("severity", "=", "critical"), ("service", "=", "checkout")]),
        ('summary="disk full" severity = critical', None),  # "=" is a part: the whole text, refused
        ('summary="disk full" sev=crit', [("summary", "=", "disk full"), ("sev", "=", "crit")]),
        ("a=b, c=d", [("a", "=", "b"), ("c", "=", "d")]),
        ("{a=b c=d}", [("a", "=", "b c=d")]),  # braces: one Alertmanager expression
        ("a=b c", [("a", "=", "b c")]),  # a part that is no matcher: the whole text, as Alertmanager
        ('"service.name"=x env=~"(?i)PROD"', [("service.name", "=", "x"), ("env", "=~", "(?i)PROD")]),
    ],
)
def test_the_filter_takes_amtool_style_space_separated_matchers(text: str, expected: list | None) -> None:
    if expected is None:
        with pytest.raises(MatcherError, match="unescaped double quote"):
            parse_filter(text)
    else:
        assert triples(parse_filter(text)) == expected


def test_the_filter_example_matches() -> None:
    assert matchers_match(parse_filter('alertname=~"kube.*" severity!=info'), LABELS) is False
    assert matchers_match(parse_filter('alertname=~"(?i)kube.*" severity!=info'), LABELS) is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("severity=critical", True), ('{"service.name"="x"}', True), ("service.name=~x", True),
        ("foo🙂!=bar", True), ("job !~ node", True), ('"a b" = c', True),
        ("crashloop", False), ("disk full", False), ("down!", False), ("=critical", False), ("http://x", False),
    ],
)
def test_free_text_is_told_apart_from_matchers(text: str, expected: bool) -> None:
    assert looks_like_matchers(text) is expected


# --- printing reads back -----------------------------------------------------------------------

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@given(name=TEXT.filter(bool), op=st.sampled_from(["=", "!="]), value=TEXT)
def test_str_parses_back_to_the_same_matcher(name: str, op: str, value: str) -> None:
    matcher = Matcher(name, op, value)
    assert parse_matchers(str(matcher)) == [matcher]
    assert parse_matcher(str(matcher)) == matcher


@given(st.lists(st.tuples(TEXT.filter(bool), st.sampled_from(["=", "!="]), TEXT), min_size=1, max_size=4))
def test_a_joined_list_parses_back(items: list) -> None:
    matchers = [Matcher(*item) for item in items]
    assert parse_matchers(", ".join(str(m) for m in matchers)) == matchers


def test_round_trip_through_the_api() -> None:
    original = parse_matchers('a=b, c!="d e", f=~"g.*", h!~"i|j", "x y"="z"')
    assert [Matcher.from_api(m.to_api()) for m in original] == original


# --- layering: the core layer imports nothing of ours but its sibling -------------------------

@pytest.mark.parametrize(
    ("module", "allowed"),
    [
        ("matchers_syntax.py", {"__future__", "re", "typing"}),
        ("matchers.py", {"__future__", "re", "dataclasses", "functools", "typing", "re2", ".matchers_syntax"}),
    ],
)
def test_imports(module: str, allowed: set[str]) -> None:
    tree = ast.parse((CORE / module).read_text())
    found = {("." * node.level + (node.module or "")) if isinstance(node, ast.ImportFrom) else alias.name
             for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
             for alias in node.names}
    assert found <= allowed
    assert len((CORE / module).read_text().splitlines()) <= 400

"""Matcher syntax as a user types it in the Alerts filter, a silence or the `filter` option.

Where these expectations and Alertmanager disagree, Alertmanager wins: its own test tables are in
tests/test_matchers_upstream.py; the cases below that Alertmanager reads differently from what a
reader might guess are pinned in test_alertmanager_tolerates_what_looks_wrong.
"""

from __future__ import annotations

import pytest

from cockpit.core.matchers import Matcher, MatcherError, looks_like_matchers, matchers_match, parse_filter, parse_matchers

LABELS = {"alertname": "KubePodCrashLooping", "severity": "critical", "service": "checkout", "ns": "prod"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("severity=critical", True),
        ("severity!=critical", False),
        ('service=~"check.*"', True),
        ('service=~"check"', False),  # anchored: must match the whole value
        ("service!~heck", True),
        ('{alertname="KubePodCrashLooping", ns=~"prod|staging"}', True),
        ("severity=critical, ns=dev", False),
        ("team=", True),  # an absent label is the empty string
        ("team!=", False),
        ("team=~.+", False),
        ("", True),
    ],
)
def test_matching_follows_alertmanager_semantics(text: str, expected: bool) -> None:
    assert matchers_match(parse_matchers(text), LABELS) is expected


def test_quoted_values_keep_commas_quotes_and_regex_escapes() -> None:
    parsed = parse_matchers(r'summary="a, b \"c\"", path=~"api\.v1/.*", x=' + "'y'")
    assert [(m.name, m.op, m.value) for m in parsed] == [
        ("summary", "=", 'a, b "c"'),
        ("path", "=~", r"api\.v1/.*"),
        ("x", "=", "'y'"),  # Alertmanager keeps single quotes as part of the value
    ]
    assert parsed[1].matches({"path": "api.v1/users"})
    assert not parsed[1].matches({"path": "apixv1/users"})


def test_round_trip_through_text_and_api() -> None:
    original = parse_matchers('a=b, c!="d e", f=~"g.*", h!~"i|j"')
    again = parse_matchers(", ".join(str(m) for m in original))
    assert again == original
    assert [Matcher.from_api(m.to_api()) for m in original] == original
    assert original[3].to_api() == {"name": "h", "value": "i|j", "isRegex": True, "isEqual": False}
    assert Matcher.from_api({"name": "a", "value": "b", "isRegex": False}).op == "="


@pytest.mark.parametrize(
    "bad",
    ["severity", "=critical", 'a="unterminated', "a=~(", 'a=b"', 'a=~"(?!x)"'],
)
def test_bad_syntax_is_refused_with_a_message(bad: str) -> None:
    with pytest.raises(MatcherError) as info:
        parse_matchers(bad)
    assert str(info.value)


def test_free_text_is_told_apart_from_matchers() -> None:
    assert looks_like_matchers("severity=critical")
    assert looks_like_matchers('{service=~"x"}')
    assert looks_like_matchers("job !~ node")
    assert not looks_like_matchers("crashloop")
    assert not looks_like_matchers("disk full")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a==b", [("a", "=", "=b")]),  # classic parser: the value is "=b"
        ("a=b c=d", [("a", "=", "b c=d")]),  # one matcher, as Alertmanager's API reads it
        ("{a=b", [("a", "=", "b")]),  # the classic parser takes each brace as optional
        ("1abc=x", [("1abc", "=", "x")]),  # UTF-8 label names may start with a digit
    ],
)
def test_alertmanager_tolerates_what_looks_wrong(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert [(m.name, m.op, m.value) for m in parse_matchers(text)] == expected


def test_filter_box_takes_amtools_space_separated_matchers() -> None:
    parsed = parse_filter('alertname=~"Kube.*" severity!=info')
    assert [(m.name, m.op, m.value) for m in parsed] == [("alertname", "=~", "Kube.*"), ("severity", "!=", "info")]
    assert matchers_match(parsed, {"alertname": "KubePodCrashLooping", "severity": "critical"})
    assert not matchers_match(parsed, {"alertname": "KubePodCrashLooping", "severity": "info"})


def test_regex_flags_work_and_lookaround_is_refused_before_sending() -> None:
    assert matchers_match(parse_matchers('env=~"(?i)PROD"'), {"env": "prod"})
    with pytest.raises(MatcherError, match="regexp"):
        parse_matchers('env=~"(?!prod).*"')

"""Alertmanager label matchers: parse, print and match them exactly as Alertmanager (0.27+) does.

Used for the ``filter`` option of the sources, for the silences the cockpit creates and by the
Alerts panel's ``/`` filter::

    severity=critical, service=~"check.*"         comma separated, values quoted or bare
    {alertname="Watchdog", job!~"node|kube"}      optional braces
    {"service.name"="checkout", env=~"(?i)prod"}  quoted (UTF-8) label names, RE2 flags
    alertname=~"Kube.*" severity!=info            amtool's separate arguments (parse_filter only)

Parsing follows Alertmanager's default "fallback" mode (``matcher/compat``). Alertmanager runs
both parsers and keeps the classic result whenever the classic parser accepts the text (also when
the UTF-8 parser reads it differently), else the UTF-8 result; when both refuse, the classic
parser's error. So we try the classic parser first. So ``foo="\\u00e9"`` keeps its backslash (classic) while
``"foo"="\\u00e9"`` is ``é`` (only the UTF-8 parser reads quoted names). ``mode="utf8"`` and
``mode="classic"`` run one parser alone. The grammars are in :mod:`matchers_syntax`.

Semantics are Alertmanager's: an absent label counts as the empty string; a regular expression is
RE2 (google-re2, as Go's regexp: no lookaround, no backreferences; ``(?i)``, ``(?s)`` work),
anchored as ``^(?:...)$``; ``str(matcher)`` prints as Alertmanager's ``Matcher.String()``.

Known differences from Alertmanager's own test tables (see test_matchers_upstream.py): none.
Known differences outside them: RE2's C++ library accepts a few patterns that Go refuses (``\\C``,
a repeated group name) and words a few refusals its own way (lookbehind ``(?<=`` is "invalid or
unsupported Perl syntax" where Go says "invalid named capture"); Go's Unicode tables (case folding,
``\\pL``, what ``str()`` escapes) may be a version apart from RE2's and Python's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Mapping, TypeVar

import re2

from .matchers_syntax import MatcherError, go_quote, is_reserved, parse_classic, parse_classic_one, parse_utf8

__all__ = ["Matcher", "MatcherError", "MatchOp", "compile_regex", "is_valid_label_name", "looks_like_matchers",
           "matchers_match", "parse_filter", "parse_matcher", "parse_matchers", "validate_matcher_texts"]

MatchOp = str
"""One of ``=``, ``!=``, ``=~``, ``!~``."""

_OPS = ("=~", "!~", "!=", "=")
_MODES = ("fallback", "utf8", "classic")
T = TypeVar("T")

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # RE2 would print each refused pattern on stderr, over the TUI

# RE2's C++ wording -> Go's (what Alertmanager prints); the codes not listed read the same.
_GO_REGEX_ERRORS = {
    "missing ]": "missing closing ]",
    "missing )": "missing closing )",
    "trailing \\": "trailing backslash at end of expression",
    "no argument for repetition operator": "missing argument to repetition operator",
    "invalid repetition size": "invalid repeat count",
    "bad repetition operator": "invalid nested repetition operator",
    "invalid perl operator": "invalid or unsupported Perl syntax",
    "invalid named capture group": "invalid named capture",
    "pattern too large - compile failed": "expression too large",
}


def compile_regex(pattern: str) -> Any:
    """Compile a matcher's regular expression as Alertmanager does: RE2, anchored ``^(?:...)$``.

    Raises :class:`MatcherError` with RE2's message in Go's words (``error parsing regexp: missing
    closing ]: `[a)$```) for what RE2 refuses (lookaround, backreferences, ...).
    """
    anchored = f"^(?:{pattern})$"
    try:
        return re2.compile(anchored, _RE2_OPTIONS)
    except re2.error as exc:
        message = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
    except UnicodeError:  # a lone surrogate, which Go would see as invalid UTF-8
        message = f"invalid UTF-8: {anchored}"
    code, sep, arg = message.partition(": ")
    code = _GO_REGEX_ERRORS.get(code, code)
    raise MatcherError(f"error parsing regexp: {code}: `{arg}`" if sep else f"error parsing regexp: {code}")


@dataclass(frozen=True)
class Matcher:
    """One label matcher; building one compiles its regular expression (MatcherError if bad)."""

    name: str
    op: MatchOp
    value: str
    _compiled: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.op not in _OPS:
            raise MatcherError(f"unknown operator {self.op!r}")
        if self.is_regex:
            object.__setattr__(self, "_compiled", compile_regex(self.value))

    @property
    def is_regex(self) -> bool:
        return self.op in ("=~", "!~")

    @property
    def is_equal(self) -> bool:
        return self.op in ("=", "=~")

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether labels satisfy this matcher (an absent label is the empty string)."""
        actual = labels.get(self.name, "")
        if self._compiled is None:
            hit = actual == self.value
        else:
            try:
                hit = self._compiled.search(actual) is not None
            except UnicodeError:  # lone surrogates: match them as U+FFFD, as Go's JSON decoding would
                clean = actual.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
                hit = self._compiled.search(clean) is not None
        return hit if self.is_equal else not hit

    def to_api(self) -> dict[str, Any]:
        """The matcher as Alertmanager's API v2 takes it in a silence."""
        return {"name": self.name, "value": self.value, "isRegex": self.is_regex, "isEqual": self.is_equal}

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> "Matcher":
        """Build from an API v2 matcher (``isEqual`` defaults to true, as in Alertmanager)."""
        is_regex = bool(data.get("isRegex", False))
        is_equal = bool(data.get("isEqual", True))
        op = ("=~" if is_regex else "=") if is_equal else ("!~" if is_regex else "!=")
        return cls(str(data.get("name", "")), op, str(data.get("value", "")))

    def __str__(self) -> str:
        """Alertmanager's ``Matcher.String()``: ``foo="a\\"b"``, or ``"foo bar"="baz"``.

        A name holding a character the UTF-8 parser reserves is quoted, and then the value is
        quoted Go-style too; otherwise the value gets OpenMetrics escapes (``\\\\ \\n \\"`` only),
        which both parsers read back.
        """
        if any(is_reserved(char) for char in self.name):
            return f"{go_quote(self.name)}{self.op}{go_quote(self.value)}"
        escaped = self.value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
        return f'{self.name}{self.op}"{escaped}"'


def matchers_match(matchers: list[Matcher], labels: Mapping[str, str]) -> bool:
    """True when every matcher matches (an empty list matches everything)."""
    return all(m.matches(labels) for m in matchers)


def parse_matchers(text: str, *, mode: str = "fallback") -> list[Matcher]:
    """Parse matcher text (Alertmanager's ``compat.Matchers``); an empty text gives ``[]``.

    ``mode`` is ``"fallback"`` (Alertmanager's default), ``"utf8"`` or ``"classic"`` (its
    feature flags). Raises :class:`MatcherError` with Alertmanager's message.
    """
    return _parse(text, mode, classic=partial(parse_classic, make=Matcher), utf8=partial(parse_utf8, make=Matcher))


def parse_matcher(text: str, *, mode: str = "fallback") -> Matcher:
    """Parse exactly one matcher (``compat.Matcher``), as amtool reads each argument and the API
    each ``filter=`` value. The classic parser does not split at commas here: ``a=b,c=d`` is
    ``a="b,c=d"``. In fallback mode, braces around the text are refused.
    """
    def utf8(body: str) -> Matcher:
        found = parse_utf8(body, Matcher)
        if len(found) != 1:
            raise MatcherError(f"expected 1 matcher, found {len(found)}" if found else "no matchers")
        return found[0]

    if mode == "fallback" and (text.startswith("{") or text.endswith("}")):
        raise MatcherError(f"unexpected open or close brace: {text}")
    return _parse(text, mode, classic=partial(parse_classic_one, make=Matcher), utf8=utf8)


def _parse(text: str, mode: str, classic: Callable[[str], T], utf8: Callable[[str], T]) -> T:
    """One parser, or Alertmanager's fallback: the classic answer if any, else the UTF-8 one."""
    if mode not in _MODES:
        raise ValueError(f"unknown matcher parsing mode {mode!r}; expected one of {', '.join(_MODES)}")
    if mode != "fallback":
        return classic(text) if mode == "classic" else utf8(text)
    try:
        return classic(text)
    except MatcherError as classic_error:
        try:
            return utf8(text)
        except MatcherError:
            raise classic_error from None


# A quoted or unquoted name, then an operator; "=" also covers "=~".
_LOOKS = re.compile(r'\s*\{*\s*(?:"(?:[^"\\]|\\.)*"|[^\s{}!=~,\\"\'`]+)\s*(?:=|!=|!~)', re.S)
# One amtool-style argument: runs of unquoted non-space text and double-quoted strings.
_ARGUMENT = re.compile(r'(?:"(?:[^"\\]|\\.)*"?|[^\s"]+)+', re.S)


def looks_like_matchers(text: str) -> bool:
    """Whether filter text is meant as matchers (a name then an operator) rather than free text."""
    return _LOOKS.match(text) is not None


def parse_filter(text: str) -> list[Matcher]:
    """Matchers typed in a filter box: :func:`parse_matchers`, or amtool's space-separated form.

    ``alertname=~"Kube.*" severity!=info`` is read as amtool reads its arguments, one matcher text
    each, when every whitespace-separated part (outside quotes) looks like a matcher and the text
    is not in braces. Otherwise the whole text goes to :func:`parse_matchers`, where the classic
    parser would read ``a=b c=d`` as ``a="b c=d"``.
    """
    parts = _ARGUMENT.findall(text)
    if len(parts) > 1 and not text.lstrip().startswith("{") and all(map(looks_like_matchers, parts)):
        return [m for part in parts for m in parse_matchers(part)]
    return parse_matchers(text)


def is_valid_label_name(name: str, *, classic: bool = False) -> bool:
    """Alertmanager's label name check: any non-empty UTF-8 text, or ``[a-zA-Z_][a-zA-Z0-9_]*``."""
    if classic:
        return re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", name) is not None
    try:
        return bool(name.encode())
    except UnicodeError:
        return False


def validate_matcher_texts(texts: list[str], *, single: bool = False) -> list[str]:
    """For options holding matcher strings: raise ValueError naming the first bad or empty one.

    ``single=True`` checks each text as one matcher, as Alertmanager's API reads ``filter=``.
    """
    for text in texts:
        try:
            parsed = [parse_matcher(text)] if single else parse_matchers(text)
        except MatcherError as exc:
            raise ValueError(f"bad matcher {text!r}: {exc}") from None
        if not parsed:
            raise ValueError("an empty matcher is not allowed")
    return texts

"""Alertmanager-style label matchers: parse ``a=b``, ``a!=b``, ``a=~re``, ``a!~re`` and match them.

Used for the ``filter`` option of the Alertmanager source, for the silences the cockpit creates,
and by the Alerts panel's ``/`` filter. The syntax follows Alertmanager's (and amtool's)::

    severity=critical, service=~"check.*"      comma separated, values quoted or bare
    {alertname="Watchdog", job!~"node|kube"}   optional braces

Semantics follow Alertmanager too: a label that is absent counts as the empty string, and a
regular expression must match the whole value (it is anchored at both ends).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

__all__ = ["Matcher", "MatcherError", "MatchOp", "looks_like_matchers", "matchers_match", "parse_matchers", "validate_matcher_texts"]

MatchOp = str
"""One of ``=``, ``!=``, ``=~``, ``!~``."""

_OPS = ("=~", "!~", "!=", "=")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


class MatcherError(ValueError):
    """The text is not valid matcher syntax; the message says where."""


@dataclass(frozen=True)
class Matcher:
    """One label matcher."""

    name: str
    op: MatchOp
    value: str
    _compiled: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.op not in _OPS:
            raise MatcherError(f"unknown operator {self.op!r}")
        if self.is_regex:
            try:
                compiled = re.compile(f"(?:{self.value})")
            except re.error as exc:
                raise MatcherError(f"bad regular expression for {self.name}: {exc}") from None
            object.__setattr__(self, "_compiled", compiled)

    @property
    def is_regex(self) -> bool:
        return self.op in ("=~", "!~")

    @property
    def is_equal(self) -> bool:
        return self.op in ("=", "=~")

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether labels satisfy this matcher (an absent label is the empty string)."""
        actual = labels.get(self.name, "")
        if self._compiled is not None:
            hit = self._compiled.fullmatch(actual) is not None
        else:
            hit = actual == self.value
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
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'{self.name}{self.op}"{escaped}"'


def matchers_match(matchers: list[Matcher], labels: Mapping[str, str]) -> bool:
    """True when every matcher matches (an empty list matches everything)."""
    return all(m.matches(labels) for m in matchers)


def looks_like_matchers(text: str) -> bool:
    """Whether filter text is meant as matchers (``name`` then an operator) rather than free text."""
    stripped = text.strip().lstrip("{").lstrip()
    found = _NAME.match(stripped)
    if not found:
        return False
    rest = stripped[found.end() :].lstrip()
    return rest.startswith(_OPS)


def parse_matchers(text: str) -> list[Matcher]:
    """Parse matcher text into a list; an empty text gives an empty list.

    Raises :class:`MatcherError` naming the position of the first problem.
    """
    body = text.strip()
    if body.startswith("{"):
        if not body.endswith("}"):
            raise MatcherError("missing closing '}'")
        body = body[1:-1]
    result: list[Matcher] = []
    pos = 0
    length = len(body)
    while True:
        pos = _skip_space(body, pos)
        if pos >= length:
            break
        found = _NAME.match(body, pos)
        if not found:
            raise MatcherError(f"expected a label name at position {pos + 1}: {body[pos:pos + 20]!r}")
        name = found.group()
        pos = _skip_space(body, found.end())
        op = next((o for o in _OPS if body.startswith(o, pos)), None)
        if op is None:
            raise MatcherError(f"expected =, !=, =~ or !~ after {name!r}")
        pos = _skip_space(body, pos + len(op))
        value, pos = _read_value(body, pos, name)
        result.append(Matcher(name, op, value))
        pos = _skip_space(body, pos)
        if pos < length:
            if body[pos] != ",":
                raise MatcherError(f"expected ',' at position {pos + 1}: {body[pos:pos + 20]!r}")
            pos += 1
    return result


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _read_value(text: str, pos: int, name: str) -> tuple[str, int]:
    if pos < len(text) and text[pos] in "\"'":
        quote = text[pos]
        out: list[str] = []
        pos += 1
        while pos < len(text):
            char = text[pos]
            if char == "\\" and pos + 1 < len(text):
                nxt = text[pos + 1]
                out.append(_ESCAPES.get(nxt, "\\" + nxt) if nxt != quote else quote)
                pos += 2
                continue
            if char == quote:
                return "".join(out), pos + 1
            out.append(char)
            pos += 1
        raise MatcherError(f"unterminated quoted value for {name!r}")
    end = pos
    while end < len(text) and text[end] != ",":
        end += 1
    value = text[pos:end].strip()
    if any(c in value for c in "\"'") or "=" in value or "!~" in value or value.startswith("~"):
        # A bare value holding a quote or an operator is almost always a typo (a==b, a=b c=d).
        raise MatcherError(f"unexpected character in the value of {name!r}; quote the value")
    return value, end


def validate_matcher_texts(texts: list[str]) -> list[str]:
    """For options holding matcher strings: raise ValueError naming the first bad or empty one."""
    for text in texts:
        try:
            parsed = parse_matchers(text)
        except MatcherError as exc:
            raise ValueError(f"bad matcher {text!r}: {exc}") from None
        if not parsed:
            raise ValueError("an empty matcher is not allowed")
    return texts

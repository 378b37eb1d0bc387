"""Alertmanager's two matcher grammars as pure functions; the public API is in ``matchers.py``.

* The UTF-8 parser (Alertmanager's ``matcher/parse``, its default since 0.27): tokens ``{ } , =
  != =~ !~``, double-quoted strings with Go's escapes (``\\n \\t \\" \\\\ \\xNN \\uNNNN \\UNNNNNNNN``
  and octal; anything else is an error) and unquoted runs of any characters except whitespace,
  the backtick and ``{ } ! = ~ , \\ " '`` (so ``service.name=x`` and ``"service name"=x`` are
  names). Errors carry rune columns (``5:12: "bar\\w": invalid input``) worded as Alertmanager's.
* The classic parser (``pkg/labels``): splits at commas outside double quotes, then reads each
  part with one regular expression; tolerant (``{foo=``, ``tricky=~~~``, ``a==b``), with
  OpenMetrics escapes only (``\\n \\" \\\\``; any other backslash stays literal).

Both take ``make(name, op, value)``, called as each matcher is read, so that an invalid regular
expression is reported before a later syntax error, in Alertmanager's order. This module imports
nothing of ours: ``matchers.py`` builds on it.
"""

from __future__ import annotations

import re
from typing import Callable, TypeVar

__all__ = ["MatcherError", "go_quote", "go_unquote", "is_reserved", "is_space", "parse_classic",
           "parse_classic_one", "parse_utf8"]

T = TypeVar("T")


class MatcherError(ValueError):
    """The text is not valid matcher syntax; the message is worded as Alertmanager's."""


def is_space(char: str) -> bool:
    """Go's ``unicode.IsSpace`` (Python's ``isspace`` would also take U+001C..U+001F)."""
    return char in "\t\n\v\f\r \x85\xa0" or (char > "\xff" and char.isspace())


def is_reserved(char: str) -> bool:
    """Characters that end an unquoted token, and that make ``str()`` quote a label name."""
    return char in "{}!=~,\\\"'`" or is_space(char)


# ---------------------------------------------------------------------------------------------
# UTF-8 parser

_Token = tuple[str, str, int, int]  # kind, text, first column, column after


def _lex(text: str) -> list[_Token]:
    """All tokens up to ``eof``; a lexing error ends the list as an ``error`` token instead.

    Alertmanager lexes lazily, but its lexer errors are sticky and met in token order, so lexing
    ahead and raising when the parser reaches the ``error`` token is equivalent. Columns count
    characters (Go counts runes: the same).
    """
    tokens: list[_Token] = []
    pos, size = 0, len(text)
    while True:
        while pos < size and is_space(text[pos]):
            pos += 1
        if pos >= size:
            return tokens + [("eof", "", pos, pos)]
        start, char = pos, text[pos]
        pos += 1
        if char in "{},":
            kind = char
        elif char == "=":
            if pos < size and text[pos] == "~":
                pos += 1
            kind = text[start:pos]
        elif char == "!":
            if pos >= size or text[pos] not in "=~":
                seen = "unexpected end of input," if pos >= size else "!:"
                return tokens + [("error", f"{start}:{pos}: {seen} expected one of '=~'", start, pos)]
            pos += 1
            kind = text[start:pos]
        elif char == '"':
            escaped = False
            while pos < size and (escaped or text[pos] != '"'):
                escaped = not escaped and text[pos] == "\\"
                pos += 1
            if pos >= size:
                return tokens + [("error", f'{start}:{pos}: {text[start:]}: missing end "', start, pos)]
            pos += 1
            kind = "quoted"
        elif not is_reserved(char):
            while pos < size and not is_reserved(text[pos]):
                pos += 1
            kind = "unquoted"
        else:
            return tokens + [("error", f"{start}:{pos}: {char}: invalid input", start, pos)]
        tokens.append((kind, text[start:pos], start, pos))


_SIMPLE_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, '"': 34}
_HEX = frozenset("0123456789abcdefABCDEF")
_HEX_WIDTH = {"x": 2, "u": 4, "U": 8}


def go_unquote(quoted: str) -> str:
    """Go's ``strconv.Unquote`` for a double-quoted string, plus a UTF-8 check of the result.

    ``\\xNN`` and octal escapes give bytes (``"\\xf0\\x9f\\x99\\x82"`` is one emoji), ``\\u``/``\\U``
    give code points. Raises ValueError for bad escapes, a raw newline, or bytes that are not UTF-8.
    """
    body, out, pos = quoted[1:-1], bytearray(), 0
    if "\n" in body:
        raise ValueError("newline in quoted string")
    while pos < len(body):
        char = body[pos]
        pos += 1
        if char != "\\":
            out += char.encode()  # a lone surrogate raises UnicodeError, a ValueError
            continue
        esc = body[pos] if pos < len(body) else ""
        pos += 1
        if esc in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[esc])
        elif esc in _HEX_WIDTH:
            digits = body[pos:pos + _HEX_WIDTH[esc]]
            pos += len(digits)
            if len(digits) != _HEX_WIDTH[esc] or not _HEX.issuperset(digits):
                raise ValueError(f"bad \\{esc} escape")
            code = int(digits, 16)
            if esc == "x":
                out.append(code)
            elif code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise ValueError("escape is not a valid code point")
            else:
                out += chr(code).encode()
        elif esc and esc in "01234567":
            digits = body[pos - 1:pos + 2]
            pos += 2
            if len(digits) != 3 or not set(digits) <= set("01234567") or int(digits, 8) > 255:
                raise ValueError("bad octal escape")
            out.append(int(digits, 8))
        else:
            raise ValueError(f"unknown escape \\{esc}")
    return out.decode("utf-8")


def parse_utf8(text: str, make: Callable[[str, str, str], T]) -> list[T]:
    """Alertmanager's ``parse.Matchers``: the whole text, braces optional, trailing comma allowed."""
    tokens, index, end = _lex(text), 0, 0  # end: column after the last consumed token

    def take() -> _Token:
        nonlocal index, end
        token = tokens[index]
        index, end = index + 1, token[3]
        return token

    def expect(kinds: tuple[str, ...], why: str) -> _Token:
        kind, value, start, stop = tokens[index]
        if kind == "error":
            raise MatcherError(f"{value}: {why}")
        if kind == "eof":
            raise MatcherError(f"end of input: {why}")
        if kind not in kinds:
            raise MatcherError(f"{start}:{stop}: unexpected {value}: {why}")
        return take()

    def unquoted(token: _Token) -> str:
        kind, value, start, stop = token
        try:
            return go_unquote(value) if kind == "quoted" else value
        except ValueError:
            raise MatcherError(f"{start}:{stop}: {value}: invalid input") from None

    result: list[T] = []
    if tokens[0][0] == "error":
        raise MatcherError(tokens[0][1])
    braced = tokens[0][0] == "{"
    if braced:
        take()
        if tokens[index][0] == "error":
            raise MatcherError(tokens[index][1])
    names = ("quoted", "unquoted")
    while tokens[index][0] not in ("eof", "}"):
        name = unquoted(expect(names, "expected label name"))
        op = expect(("=", "!=", "=~", "!~"), "expected an operator such as '=', '!=', '=~' or '!~'")[1]
        value = unquoted(expect(names, "expected label value"))
        try:
            result.append(make(name, op, value))
        except MatcherError as exc:
            raise MatcherError(f"failed to create matcher: {exc}") from None
        kind, value, start, stop = tokens[index]
        why = "expected a comma or close brace"
        if kind == "error":
            raise MatcherError(f"{value}: {why}")
        if kind in ("eof", "}"):
            break
        if kind != ",":
            raise MatcherError(f"{start}:{stop}: unexpected {value}: {why}")
        take()
        kind, value, start, stop = tokens[index]
        why = "expected a matcher or close brace after comma"
        if kind == "error":
            raise MatcherError(f"{value}: {why}")
        if kind not in ("eof", "}", *names):
            raise MatcherError(f"{start}:{stop}: unexpected {value}: {why}")
    if braced:
        if tokens[index][0] != "}":
            raise MatcherError(f"0:{end}: end of input: expected close brace")
        take()
    elif tokens[index][0] == "}":
        take()
        raise MatcherError(f"0:{end}: }}: expected opening brace")
    kind, value, start, stop = take()
    if kind == "error":
        raise MatcherError(f"{value}: expected end of input")
    if kind != "eof":
        raise MatcherError(f"{start}:{stop}: {value}: expected end of input")
    return result


# ---------------------------------------------------------------------------------------------
# Classic parser

# Go's \s is [\t\n\f\r ]; \Z because Python's $ would also match before a final newline.
_CLASSIC = re.compile(
    r"[\t\n\f\r ]*([a-zA-Z_:][a-zA-Z0-9_:]*)[\t\n\f\r ]*(=~|=|!=|!~)[\t\n\f\r ]*(.*?)[\t\n\f\r ]*\Z", re.S
)


def _trim_space(text: str) -> str:
    start, stop = 0, len(text)
    while start < stop and is_space(text[start]):
        start += 1
    while stop > start and is_space(text[stop - 1]):
        stop -= 1
    return text[start:stop]


def parse_classic(text: str, make: Callable[[str, str, str], T]) -> list[T]:
    """Alertmanager's ``labels.ParseMatchers``: one ``{`` and one ``}`` trimmed, split at commas."""
    body = text[1:] if text.startswith("{") else text
    body = body[:-1] if body.endswith("}") else body
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in body:  # a ',' keeps the escape state, as upstream's loop does
        if char == "," and not quoted:
            parts.append("".join(current))
            current = []
            continue
        if char == '"':
            quoted = quoted if escaped else not quoted
            escaped = False
        elif char == "\\":
            escaped = not escaped
        elif char != ",":
            escaped = False
        current.append(char)
    last = _trim_space("".join(current))
    if last:
        parts.append(last)
    return [parse_classic_one(part, make) for part in parts]


def parse_classic_one(text: str, make: Callable[[str, str, str], T]) -> T:
    """Alertmanager's ``labels.ParseMatcher``: exactly one matcher, no braces, no splitting."""
    found = _CLASSIC.match(text)
    if not found:
        raise MatcherError(f"bad matcher format: {text}")
    name, op, raw = found.groups()
    body, expect_quote = (raw[1:], True) if raw.startswith('"') else (raw, False)
    try:
        body.encode()
    except UnicodeError:  # lone surrogates: what Go sees as invalid UTF-8
        raise MatcherError(f"matcher value not valid UTF-8: {raw}") from None
    out: list[str] = []
    escaped, last = False, len(body) - 1
    for pos, char in enumerate(body):
        if escaped:
            escaped = False
            out.append("\n" if char == "n" else char if char in '"\\' else "\\" + char)
        elif char == "\\":
            if pos < last:
                escaped = True
            else:
                out.append(char)  # a final backslash is literal
        elif char == '"':
            if not expect_quote or pos < last:
                raise MatcherError(f"matcher value contains unescaped double quote: {raw}")
            expect_quote = False
        else:
            out.append(char)
    if expect_quote:
        raise MatcherError(f"matcher value contains unescaped double quote: {raw}")
    return make(name, op, "".join(out))


# ---------------------------------------------------------------------------------------------
# Printing

_QUOTE_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
                  "\v": "\\v", '"': '\\"', "\\": "\\\\"}


def go_quote(text: str) -> str:
    """Go's ``strconv.Quote``: printable characters as they are, others escaped.

    Go's "printable" (letters, marks, numbers, punctuation, symbols and the ASCII space) is the
    same set as Python's ``str.isprintable``.
    """
    out = ['"']
    for char in text:
        code = ord(char)
        if char in _QUOTE_ESCAPES:
            out.append(_QUOTE_ESCAPES[char])
        elif char.isprintable():
            out.append(char)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)

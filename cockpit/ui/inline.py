"""Runbook Markdown made ready to read and to paste: inline marks rendered, labels filled in.

A runbook step reads ``Find the pod: `kubectl -n $NAMESPACE get pod $POD -o wide```. On screen it
becomes "Find the pod: kubectl -n shop get pod orders-7d9f8-xk2lp -o wide", the command in the
code style, with no backticks or emphasis marks; a placeholder no label fills stays as written,
marked. :func:`copy_text` is what the copy key puts on the clipboard: the step's commands.

Runbook text and label values are untrusted: they are cleaned (:func:`clean_line`) before any
parsing, and become Rich ``Text`` (never markup).
"""

from __future__ import annotations

import re
from typing import Mapping

from rich.style import Style
from rich.text import Text

from cockpit.core.fill import PLACEHOLDER, fill_labels
from cockpit.core.textsafe import clean, clean_line, safe_url

__all__ = ["CODE_STYLE", "code_block_text", "copy_text", "inline_text"]

CODE_STYLE = Style(bold=True, color="cyan")
"""How a command (a code span or block) is set apart from prose."""

_INLINE = re.compile(
    r"`([^`]+)`"                                   # `code`
    r"|\*\*(.+?)\*\*|__(.+?)__"                    # **strong** __strong__
    r"|(?<![\w*])\*(?![\s*])(.+?)(?<![\s*])\*(?![\w*])"  # *emphasis*
    r"|(?<![\w_])_(?![\s_])(.+?)(?<![\s_])_(?![\w_])"    # _emphasis_
    r"|\[([^\]]+)\]\(([^)\s]+)\)"                  # [text](url)
)


def _with_unknowns(text: str, style: Style | str, unknown: list[str]) -> Text:
    out = Text(style=style)
    last = 0
    for match in PLACEHOLDER.finditer(text):
        name = match.group(1) or match.group(2) or match.group(3)
        if name in unknown:
            out.append(text[last:match.start()])
            out.append(match.group(0), style="reverse")
            last = match.end()
    out.append(text[last:])
    return out


def inline_text(markdown: str, labels: Mapping[str, str] | None = None, max_len: int = 400) -> Text:
    """One line of Markdown as styled Text, with ``labels`` filled into its placeholders."""
    line, unknown = fill_labels(clean_line(markdown, max_len), labels or {})
    out = Text()
    last = 0
    for match in _INLINE.finditer(line):
        out.append_text(_with_unknowns(line[last:match.start()], "", unknown))
        code, strong1, strong2, em1, em2, link_text, url = match.groups()
        if code is not None:
            out.append_text(_with_unknowns(code, CODE_STYLE, unknown))
        elif strong1 or strong2:
            out.append_text(_with_unknowns(strong1 or strong2, "bold", unknown))
        elif em1 or em2:
            out.append_text(_with_unknowns(em1 or em2, "italic", unknown))
        else:
            target = safe_url(url)
            out.append(link_text, style=Style(link=target, underline=True) if target else "")
        last = match.end()
    out.append_text(_with_unknowns(line[last:], "", unknown))
    return out


def code_block_text(code: str, labels: Mapping[str, str] | None = None) -> Text:
    """A fenced code block's lines, filled, in the code style."""
    filled, unknown = fill_labels(clean(code, max_len=4000), labels or {})
    return _with_unknowns(filled, CODE_STYLE, unknown)


def copy_text(markdown: str, labels: Mapping[str, str] | None = None, *, block: bool = False) -> str:
    """What the copy key copies for a step: a code block whole; else the step's code spans,
    one a line; else its text without the marks. Labels filled in."""
    if block:
        return fill_labels(clean(markdown, max_len=4000), labels or {})[0]
    line = clean_line(markdown, 400)
    spans = re.findall(r"`([^`]+)`", line)
    if spans:
        return "\n".join(fill_labels(span, labels or {})[0] for span in spans)
    return inline_text(line, labels).plain

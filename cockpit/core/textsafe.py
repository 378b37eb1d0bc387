"""Untrusted upstream text made inert before it reaches a screen or a terminal.

Alert labels, annotations, incident titles, commit messages and runbook text come from outside.
They may carry terminal escape sequences (CSI, OSC 8 links, OSC 52 clipboard writes, title
changes), C0/C1 control characters, bidirectional overrides, zero-width characters or Rich
markup. :func:`clean` removes the sequences and characters; widgets then render the result as a
``rich.text.Text`` (never as markup), so ``[@click=app.quit]`` shows as those characters.
Text written into Markdown (the report, a triage export, ``--format markdown``) also goes
through :func:`markdown_inert`.
"""

from __future__ import annotations

import re

__all__ = ["clean", "clean_line", "clean_lines", "markdown_inert", "safe_url"]

# ESC-introduced sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC
# (ESC P/X/^/_ ... ST) and two-byte escapes. Also their 8-bit C1 forms (\x9b CSI, \x9d OSC, ...).
_ESCAPES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?          # CSI
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])    # OSC, DCS, SOS, PM, APC ...
      [^\x07\x1b\x9c]{0,4096}(?:\x07|\x1b\\|\x9c)  #   ... up to BEL or ST
  | \x1b[ -/]*[0-~]?                           # other two/three-byte escapes
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 (but tab/newline), DEL, C1, bidi embeddings/overrides/isolates, zero-width and BOM.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)


def clean(text: object, max_len: int = 4000) -> str:
    """Printable text only: escapes and invisible control characters removed, length capped.

    Newlines and tabs are kept (tabs become spaces); use :func:`clean_line` for one-line cells.
    """
    if text is None:
        return ""
    value = str(text)
    if len(value) > max_len * 4:
        value = value[: max_len * 4]
    value = _ESCAPES.sub("", value)
    value = _INVISIBLE.sub("", value.replace("\t", "    "))
    if len(value) > max_len:
        value = value[: max_len - 1] + "…"
    return value


def clean_line(text: object, max_len: int = 300) -> str:
    """:func:`clean`, folded onto one line (for table cells and the status bar)."""
    return " ".join(clean(text, max_len=max_len * 2).split())[:max_len]


def clean_lines(text: object, max_len: int = 4000, line_len: int = 300) -> list[str]:
    """:func:`clean`, line by line: each line folded like :func:`clean_line`, blank lines dropped
    (for multi-line user text such as a handoff note, shown where lines matter)."""
    if text is None:
        return []
    lines = (clean_line(line, line_len) for line in str(text)[: max_len * 4].splitlines())
    return [line for line in lines if line]


def safe_url(url: object) -> str | None:
    """A URL fit for an OSC 8 link: http(s) only, no whitespace or control characters."""
    if not url:
        return None
    value = clean_line(url, max_len=2000)
    if not re.match(r"^https?://[^\s\"'<>\\]+$", value):
        return None
    return value


_MARKDOWN_MARKUP = re.compile(r"([\\`*_\[\]<>|#])")


def markdown_inert(text: object) -> str:
    """``text`` with each character that can start Markdown markup backslash-escaped, so that
    rendered it reads as written: no link or image (``[ ]``), HTML (``< >``), code span, emphasis,
    heading or table-cell break comes from it. Clean it first (:func:`clean_line`)."""
    return _MARKDOWN_MARKUP.sub(r"\\\1", str(text))

"""A Markdown runbook taken apart: front matter, title, sections, checklist, table of contents.

Used by the full-text index (title and headings weigh more than the body), by the triage
walkthrough (sections and ``- [ ]`` items become steps) and by the runbook viewer (the table of
contents). Parsing is line based and never fails: any text yields a :class:`ParsedRunbook`.
Fenced code blocks are skipped, so a ``# comment`` in a shell snippet is not a heading.

Runbook text is untrusted; these functions keep it as written. Widgets clean it on display.

Example::

    doc = load_runbook(Path("kubernetes/KubePodCrashLooping.md"))
    doc.title            # "Kube Pod Crash Looping" (front matter), else the first heading
    [e.title for e in doc.toc]   # ["KubePodCrashLooping", "Meaning", "Impact", ...]
    doc.checklist        # [ChecklistItem(text="Check the pod logs", checked=False, ...), ...]
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "Block",
    "ChecklistItem",
    "MAX_RUNBOOK_BYTES",
    "ParsedRunbook",
    "Section",
    "load_runbook",
    "parse_front_matter",
    "parse_runbook",
    "read_text",
]

MAX_RUNBOOK_BYTES = 2 * 1024 * 1024
"""Larger files are read up to this size only (a runbook is prose, not a log file)."""

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CHECK = re.compile(r"^(\s*)[-*+][ \t]+\[([ xX])\][ \t]+(.*\S)\s*$")
_LIST_OR_QUOTE = re.compile(r"^\s*(?:[-*+>]|\d+[.)])\s")
_ITEM = re.compile(r"^ {0,1}(?:[-*+]|\d+[.)])[ \t]+(?!\[[ xX]\][ \t])(.*\S)\s*$")
"""A top-level list item that is not a ``- [ ]`` check (nested items are details of their parent)."""


@dataclass(frozen=True)
class Section:
    """One heading and the text under it (up to the next heading of any level)."""

    index: int
    level: int
    """1 for ``#``, 2 for ``##`` ..."""
    title: str
    line: int
    """0-based line number of the heading in the body (front matter excluded)."""
    body: str = ""



@dataclass(frozen=True)
class ChecklistItem:
    """One ``- [ ] text`` line."""

    text: str
    checked: bool
    line: int
    section: int | None
    """Index of the section it sits in, None before the first heading."""


@dataclass(frozen=True)
class Block:
    """A top-level list item (``kind="item"``, its first line) or a fenced code block
    (``kind="code"``, its lines without the fences)."""

    kind: str
    text: str
    line: int
    section: int | None


@dataclass(frozen=True)
class ParsedRunbook:
    """Everything the index, the viewer and the triage need from one runbook."""

    title: str
    body: str
    """The Markdown without its front matter."""
    meta: dict[str, str] = field(default_factory=dict)
    """Front matter keys with scalar values (``title``, ``weight``...), as strings."""
    sections: list[Section] = field(default_factory=list)
    checklist: list[ChecklistItem] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    """Plain list items and fenced code blocks, in order (the triage's steps when the runbook
    has no ``- [ ]`` checklist)."""
    body_line_offset: int = 0
    """Lines the front matter took in the file: add to a section's ``line`` for the file line."""

    @property
    def toc(self) -> list[Section]:
        """The table of contents: every section, in order (indent by ``level``)."""
        return list(self.sections)

    @property
    def headings_text(self) -> str:
        """All heading titles joined, for the index."""
        return "\n".join(s.title for s in self.sections)



def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def parse_front_matter(text: str) -> tuple[dict[str, str], str, int]:
    """Split YAML (``---``) or TOML (``+++``) front matter off the top of a document.

    Returns ``(meta, body, lines_taken)``. Only top-level ``key: value`` / ``key = value``
    scalars are read (enough for ``title``); anything else in the block is ignored. Text
    without a closed front-matter block is returned whole, with empty ``meta``.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if not lines or lines[0].strip() not in ("---", "+++"):
        return {}, text, 0
    fence = lines[0].strip()
    for end in range(1, min(len(lines), 500)):
        if lines[end].strip() == fence or (fence == "---" and lines[end].strip() == "..."):
            break
    else:
        return {}, text, 0
    sep = ":" if fence == "---" else "="
    meta: dict[str, str] = {}
    for raw in lines[1:end]:
        if not raw or raw[0] in " \t#-" or sep not in raw:
            continue
        key, _, value = raw.partition(sep)
        key = key.strip().strip("\"'")
        if key and value.strip():
            meta[key.lower()] = _unquote(value)
    return meta, "\n".join(lines[end + 1 :]), end + 1


def _clean_heading(text: str) -> str:
    text = re.sub(r"\s*\{#[^}]*\}\s*$", "", text or "")  # {#custom-anchor}
    return text.strip()


def parse_runbook(text: str, fallback_title: str = "") -> ParsedRunbook:
    """Parse Markdown text. The title is the front matter's, else the first heading's, else
    ``fallback_title`` (callers pass the file stem)."""
    meta, body, offset = parse_front_matter(text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = body.split("\n")
    heads: list[tuple[int, int, str]] = []  # (line, level, title)
    checks: list[tuple[int, str, bool]] = []
    raw_blocks: list[tuple[int, str, str]] = []  # (line, kind, text)
    code: list[str] = []
    continuing = -2
    fence: str | None = None
    for no, line in enumerate(lines):
        fence_match = _FENCE.match(line)
        if fence is not None:
            if fence_match and fence_match.group(1)[0] == fence[0] and len(fence_match.group(1)) >= len(fence):
                fence = None
                if any(c.strip() for c in code):
                    raw_blocks.append((raw_blocks.pop()[0], "code", "\n".join(code).strip("\n")))
                else:
                    raw_blocks.pop()
            else:
                code.append(line)
            continue
        if fence_match:
            fence, code = fence_match.group(1), []
            raw_blocks.append((no, "code", ""))
            continue
        atx = _ATX.match(line)
        if atx:
            title = _clean_heading(atx.group(2) or "")
            if title:
                heads.append((no, len(atx.group(1)), title))
            continue
        setext = _SETEXT.match(line)
        if setext and no > 0:
            prev = lines[no - 1]
            prev_is_head = bool(heads) and heads[-1][0] == no - 1
            if prev.strip() and not prev_is_head and not _LIST_OR_QUOTE.match(prev) and not _FENCE.match(prev):
                if not _CHECK.match(prev):
                    heads.append((no - 1, 1 if setext.group(1)[0] == "=" else 2, prev.strip()))
                    continue
        check = _CHECK.match(line)
        if check:
            checks.append((no, check.group(3), check.group(2) != " "))
            continue
        item = _ITEM.match(line)
        if item:
            raw_blocks.append((no, "item", item.group(1)))
            continuing = no
        elif continuing == no - 1 and line.strip() and line[:1] in " \t" and not _LIST_OR_QUOTE.match(line):
            start, kind, text_ = raw_blocks.pop()  # the item's wrapped second line
            raw_blocks.append((start, kind, f"{text_} {line.strip()}"))
            continuing = no
    if fence is not None:  # an unclosed fence: the rest of the file is its code
        raw_blocks.pop()

    sections: list[Section] = []
    for i, (no, level, title) in enumerate(heads):
        end = heads[i + 1][0] if i + 1 < len(heads) else len(lines)
        # A setext heading's underline is the line after its title: leave it out of the body.
        start = no + 1
        if start < len(lines) and _SETEXT.match(lines[start]) and not _ATX.match(lines[no]):
            start += 1
        sections.append(Section(i, level, title, no, "\n".join(lines[start:end]).strip("\n")))

    def owner(no: int) -> int | None:
        found = None
        for s in sections:
            if s.line < no:
                found = s.index
            else:
                break
        return found

    checklist = [ChecklistItem(text_, checked, no, owner(no)) for no, text_, checked in checks]
    blocks = [Block(kind, text_, no, owner(no)) for no, kind, text_ in raw_blocks if text_.strip()]

    title = meta.get("title") or (sections[0].title if sections else "") or fallback_title
    return ParsedRunbook(
        title=title.strip(),
        body=body,
        meta=meta,
        sections=sections,
        checklist=checklist,
        blocks=blocks,
        body_line_offset=offset,
    )


def read_text(path: Path, max_bytes: int = MAX_RUNBOOK_BYTES) -> str:
    """A regular file's text, decoded as UTF-8 with replacement, read up to ``max_bytes``.

    Raises OSError for anything else: a FIFO, a device or a socket named ``x.md`` would block
    the reader (and whoever waits on it) forever. The file is opened without blocking and
    checked on the open descriptor, so it cannot be swapped for a FIFO after a check.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(max_bytes)
    finally:
        os.close(fd)
    return data.decode("utf-8", errors="replace")


def load_runbook(path: Path, max_bytes: int = MAX_RUNBOOK_BYTES) -> ParsedRunbook:
    """Read and parse one runbook file (raises OSError when it cannot be read)."""
    return parse_runbook(read_text(Path(path), max_bytes), fallback_title=Path(path).stem)

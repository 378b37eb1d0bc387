"""Terminal hyperlinks (OSC 8) and clipboard writes (OSC 52), built only from checked input.

Upstream text must never reach the terminal raw (issue 8): a URL from an alert's annotations could
carry an escape sequence that ends the link early and writes something else. So:

* a link target goes through :func:`cockpit.core.textsafe.safe_url` (http/https only, no whitespace,
  no control characters, no quotes or backslashes) or is not linked at all;
* a link's visible text goes through :func:`cockpit.core.textsafe.clean_line`;
* clipboard text is cleaned and capped, then base64-encoded, so nothing in it can end the OSC 52
  sequence.

Widgets do not write sequences themselves: they use :func:`link_style` (a Rich ``Style(link=...)``,
which Textual turns into OSC 8 when it draws) and :func:`copy_to_clipboard`, which hands the text
to Textual's ``App.copy_to_clipboard`` (which writes ``ESC ] 52 ; c ; <base64> BEL`` through the
driver, checked in a pty by tests/test_textual_compat.py, and keeps the text in ``App.clipboard``). The ``osc8_*``/``osc52_*`` builders
are for plain-terminal output outside Textual and for tests.
"""

from __future__ import annotations

import base64
from typing import Any

from rich.style import Style

from cockpit.core.textsafe import clean, clean_line, safe_url

__all__ = [
    "MAX_COPY_CHARS",
    "copy_to_clipboard",
    "link_style",
    "osc52_copy",
    "osc8_link",
]

MAX_COPY_CHARS = 8000
"""Longest text copied; terminals cap OSC 52 payloads (xterm ~100 kB, tmux less)."""

_ST = "\x1b\\"


def link_style(url: object, **style: Any) -> Style | None:
    """A Rich style linking to ``url`` when it is a safe http(s) URL, else None."""
    target = safe_url(url)
    if target is None:
        return None
    return Style(link=target, **style)


def osc8_link(url: object, text: object | None = None) -> str:
    """``text`` as an OSC 8 hyperlink to ``url``; just the cleaned text when the URL is unsafe."""
    target = safe_url(url)
    label = clean_line(text if text is not None else (target or url or ""), max_len=300)
    if target is None:
        return label
    return f"\x1b]8;;{target}{_ST}{label}\x1b]8;;{_ST}"


def _copy_text(text: object) -> str:
    return clean(text, max_len=MAX_COPY_CHARS).strip()


def osc52_copy(text: object) -> str:
    """The OSC 52 sequence that puts cleaned ``text`` on the system clipboard ('' if empty)."""
    payload = _copy_text(text)
    if not payload:
        return ""
    encoded = base64.b64encode(payload.encode("utf-8")).decode("ascii")
    return f"\x1b]52;c;{encoded}\x07"


def copy_to_clipboard(app: Any, text: object) -> str | None:
    """Copy cleaned ``text`` through the app (OSC 52); returns what was copied, None if nothing.

    Textual's ``App.copy_to_clipboard`` base64-encodes the text into OSC 52 and writes it through
    the driver (and remembers it in ``App.clipboard``, which the tests read).
    """
    payload = _copy_text(text)
    if not payload:
        return None
    app.copy_to_clipboard(payload)
    return payload

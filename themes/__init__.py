"""The cockpit's colour themes and stylesheet.

Four themes the user can pick (``dark``, ``light``, ``high-contrast``, ``mono``) plus ``ansi``,
restricted to the 16 ANSI colours, which low-bandwidth mode uses so the terminal's own palette
does the work and no 24-bit colour sequences cross a slow link. Textual's built-in themes
(``nord``, ``gruvbox``, ...) can be picked by name beside ours. ``mono`` is chosen when
``NO_COLOR`` is set to a non-empty value (https://no-color.org), unless a theme was asked for
explicitly on the command line. Meaning never rests on colour alone: every status is also a word or a
symbol, so ``mono`` loses nothing but decoration.

Widgets colour cells with :func:`cell_styles`, which reads the semantic colours (error,
warning, success, muted) of the theme in force, so a theme switch recolours the tables too.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Mapping

from rich.style import Style
from textual.color import Color
from textual.theme import Theme

__all__ = [
    "ANSI_THEME",
    "STYLESHEET",
    "THEMES",
    "THEME_NAMES",
    "cell_styles",
    "choose_theme",
    "selectable_themes",
]

STYLESHEET = Path(str(resources.files(__name__) / "cockpit.tcss"))
"""The app's Textual CSS file."""

_DARK = Theme(
    name="dark",
    primary="#4C9BE8",
    secondary="#2F6FAF",
    accent="#E8A33D",
    warning="#E8A33D",
    error="#E5534B",
    success="#57AB5A",
    foreground="#D8DEE4",
    background="#161B22",
    surface="#1C2128",
    panel="#22272E",
    dark=True,
    variables={"cockpit-muted": "#8B949E"},
)
_LIGHT = Theme(
    name="light",
    primary="#0B5CAD",
    secondary="#3A7BC8",
    accent="#9A5B00",
    warning="#9A5B00",
    error="#B3261E",
    success="#1F7A34",
    foreground="#1F2328",
    background="#FFFFFF",
    surface="#F3F5F7",
    panel="#E6EAEF",
    dark=False,
    variables={"cockpit-muted": "#57606A"},
)
_HIGH_CONTRAST = Theme(
    name="high-contrast",
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FFFF00",
    warning="#FFFF00",
    error="#FF5555",
    success="#00FF00",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#000000",
    dark=True,
    luminosity_spread=0.0,
    text_alpha=1.0,
    variables={
        "cockpit-muted": "#FFFFFF",
        "block-cursor-background": "#FFFF00",
        "block-cursor-foreground": "#000000",
        "border": "#FFFFFF",
    },
)
_MONO = Theme(
    name="mono",
    primary="#FFFFFF",
    secondary="#C0C0C0",
    accent="#FFFFFF",
    warning="#FFFFFF",
    error="#FFFFFF",
    success="#FFFFFF",
    foreground="#E0E0E0",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    dark=True,
    luminosity_spread=0.0,
    variables={
        "cockpit-muted": "#A0A0A0",
        "block-cursor-background": "#E0E0E0",
        "block-cursor-foreground": "#000000",
    },
)
ANSI_THEME = Theme(
    name="ansi",
    ansi=True,
    primary="ansi_blue",
    secondary="ansi_cyan",
    accent="ansi_yellow",
    warning="ansi_yellow",
    error="ansi_red",
    success="ansi_green",
    foreground="ansi_default",
    background="ansi_default",
    surface="ansi_default",
    panel="ansi_default",
    boost="ansi_default",
    dark=True,
    variables={
        "cockpit-muted": "ansi_bright_black",
        # Textual's own CSS refers to these; an ANSI theme must define them itself.
        "ansi-background": "ansi_black",
        "ansi-foreground": "ansi_white",
        "border": "ansi_blue",
        "border-blurred": "ansi_bright_black",
        "block-cursor-foreground": "ansi_black",
        "block-cursor-background": "ansi_white",
        "input-cursor-background": "ansi_white",
        "input-cursor-foreground": "ansi_black",
        "input-selection-background": "ansi_blue",
        "screen-selection-background": "ansi_blue",
        "screen-selection-foreground": "ansi_black",
    },
)

THEMES: dict[str, Theme] = {t.name: t for t in (_DARK, _LIGHT, _HIGH_CONTRAST, _MONO, ANSI_THEME)}
"""Every theme the app registers, by name."""

THEME_NAMES = tuple(name for name in THEMES if name != ANSI_THEME.name)
"""The themes a user picks in the config: dark, light, high-contrast, mono (``ansi`` comes with
low-bandwidth mode). Named once, by the themes themselves."""


def selectable_themes() -> tuple[str, ...]:
    """Every theme name a user may pick: ours first, then Textual's built-in ones."""
    from textual.theme import BUILTIN_THEMES

    return THEME_NAMES + tuple(name for name in BUILTIN_THEMES if name not in THEMES)


def choose_theme(
    requested: str | None, low_bandwidth: bool = False, environ: Mapping[str, str] | None = None,
    *, explicit: bool = False,
) -> str:
    """The theme to start with: ``mono`` when NO_COLOR is non-empty (unless ``explicit``, a
    theme named on the command line), ``ansi`` in low-bandwidth mode (unless ``mono`` was asked
    for), else the requested one (default ``dark``; an unknown name also gives ``dark``)."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR") and not explicit:
        return "mono"
    name = requested or "dark"
    if name not in THEMES and name not in selectable_themes():
        name = "dark"
    if low_bandwidth and name != "mono":
        return "ansi"
    return name


def _rich(color: str | None, fallback: str = "default") -> str:
    try:
        parsed = Color.parse(color or fallback)
    except Exception:  # a malformed theme colour must not break rendering
        return fallback
    return str(parsed.rich_color.name) if parsed.ansi is not None else parsed.hex


def cell_styles(theme: Theme) -> dict[str, Style]:
    """Rich styles for the semantic roles of table cells in ``theme``.

    Roles: ``error``, ``warning``, ``success``, ``info``, ``muted``, ``accent``, ``bold``.
    In ``mono`` every role is a text attribute (bold, dim, reverse) instead of a colour.
    """
    if theme.name == "mono":
        return {
            "error": Style(bold=True, reverse=True),
            "warning": Style(bold=True),
            "success": Style(),
            "info": Style(),
            "muted": Style(dim=True),
            "accent": Style(underline=True),
            "bold": Style(bold=True),
        }
    muted = theme.variables.get("cockpit-muted")
    return {
        "error": Style(color=_rich(theme.error), bold=True),
        "warning": Style(color=_rich(theme.warning)),
        "success": Style(color=_rich(theme.success)),
        "info": Style(color=_rich(theme.secondary or theme.primary)),
        "muted": Style(color=_rich(muted)) if muted else Style(dim=True),
        "accent": Style(color=_rich(theme.accent or theme.primary)),
        "bold": Style(bold=True),
    }

"""Untrusted text comes out inert: no escape sequence, control or invisible character survives."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from cockpit.core.textsafe import clean, clean_line, safe_url

HOSTILE = [
    "\x1b]52;c;ZWNobyBwd25lZA==\x07",       # OSC 52 clipboard write
    "\x1b]8;;http://evil.invalid\x1b\\click\x1b]8;;\x1b\\",  # OSC 8 link
    "\x1b]0;new title\x07",                  # title change
    "\x1b[2J\x1b[H",                         # clear screen, home
    "\x9b31m",                               # 8-bit CSI
    "\x9d52;c;AAAA\x9c",                     # 8-bit OSC with 8-bit ST
    "a\u202eevil\u202cb",                    # right-to-left override
    "zero\u200bwidth\u2060joiner\ufeff",     # zero-width characters
    "\x00\x07\x08\x7f",                      # C0 and DEL
]
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def test_known_hostile_sequences_are_removed() -> None:
    for text in HOSTILE:
        out = clean(text)
        assert not FORBIDDEN.search(out), repr(out)
        assert "52;" not in out and "]8;" not in out and "title" not in out or text.startswith("\x1b]0") is False


def test_markup_stays_literal_text() -> None:
    assert clean("[bold]x[/bold] [@click=app.quit]quit[/]") == "[bold]x[/bold] [@click=app.quit]quit[/]"


def test_visible_text_survives_and_long_text_is_capped() -> None:
    assert clean("checkout: 7.2% fail 🔥 — ünïcode") == "checkout: 7.2% fail 🔥 — ünïcode"
    assert clean_line("a\nb\tc") == "a b c"
    assert len(clean("x" * 100_000, max_len=500)) == 500


@settings(max_examples=400)
@given(st.text(alphabet=st.characters(codec=None, max_codepoint=0x2100), max_size=200))
def test_no_control_character_ever_survives(text: str) -> None:
    assert not FORBIDDEN.search(clean(text))
    assert "\n" not in clean_line(text)


@given(st.text(max_size=80), st.sampled_from(HOSTILE))
def test_hostile_sequence_inside_any_text_is_removed(prefix: str, hostile: str) -> None:
    out = clean(prefix + hostile + "tail")
    assert "\x1b" not in out and "\x9b" not in out and "\x9d" not in out
    assert out.endswith("tail")


def test_safe_url_accepts_http_only() -> None:
    assert safe_url("https://runbooks.example/x?y=1") == "https://runbooks.example/x?y=1"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("https://a.example/\x1b]52;c;AA\x07") == "https://a.example/"
    assert safe_url("https://a.example/ b") is None


def test_coarse_ages_change_rarely() -> None:
    from cockpit.core.durations import format_coarse, format_coarse_age

    assert [format_coarse(s) for s in (5, 59, 60, 299, 300, 601, 3599, 3600, 7300, 90000)] == [
        "<1m", "<1m", "<5m", "<5m", "5m", "10m", "55m", "1h", "2h", "1d"]
    assert [format_coarse_age(s) for s in (None, 0, 59, 61, 125, 3700)] == [
        "never", "<1m ago", "<1m ago", "1m ago", "2m ago", "1h01m ago"]

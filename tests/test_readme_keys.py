"""The README's keys section is the help screen's list: every binding, its default keys, what it
does and its ``[keys]`` id, in the help's order (issue 18: "the README's keys section matches the
help screen"). Run ``python -m tests.test_readme_keys`` to print the table to paste."""

from __future__ import annotations

from pathlib import Path

from cockpit.ui.app import binding_owners
from cockpit.ui.keys import keys_in_force

README = Path(__file__).resolve().parents[1] / "README.md"
START = "<!-- keys: the help screen's list (cockpit/ui/keys.py); tests/test_readme_keys.py checks it -->"
END = "<!-- /keys -->"


def keys_table() -> str:
    """The help screen's rows as a Markdown table."""
    rows = ["| key | does | `[keys]` id |", "| --- | --- | --- |"]
    for binding_id, keys, description in keys_in_force(None, binding_owners()):
        shown = " ".join(f"`{k}`" for k in keys.split(" ")).replace("`|`", "`\\|`")
        rows.append(f"| {shown} | {description.replace('|', chr(92) + '|')} | `{binding_id}` |")
    return "\n".join(rows)


def test_readme_keys_section_matches_the_help_screen():
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text, f"README.md needs the generated keys table between {START} and {END}"
    block = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert block == keys_table(), "README keys table is stale; print it with: python -m tests.test_readme_keys"


if __name__ == "__main__":
    print(keys_table())

"""Starts the full-screen app on an engine and returns the exit status."""

from __future__ import annotations

from cockpit.engine.facade import Engine

__all__ = ["run_app"]


def run_app(engine: Engine, *, theme: str | None = None) -> int:
    """Run the TUI on the engine's config until the user quits; the engine is stopped on the
    way out. ``theme`` is the one named on the command line (it wins over NO_COLOR)."""
    from cockpit.ui.app import CockpitApp

    app = CockpitApp(engine=engine, settings=engine.settings, keys=engine.keys, theme=theme)
    try:
        app.run()
    finally:
        engine.stop()
    return int(app.return_code or 0)

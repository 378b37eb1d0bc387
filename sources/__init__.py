"""Source adapters: each talks to one upstream system and returns cockpit models.

No module in this package imports Textual. Installed as ``cockpit.sources``; plugins subclass
``cockpit.sources.base.Source``.
"""

from importlib import resources
from pathlib import Path

__all__ = ["DEMO_RUNBOOKS_DIR"]

DEMO_RUNBOOKS_DIR = Path(str(resources.files(__name__) / "demo_runbooks"))
"""The runbooks shipped for the demo sources' alerts (package data)."""

"""The cockpit's screens: the main panels, the help, an item's detail."""

from cockpit.ui.screens.detail import DetailScreen
from cockpit.ui.screens.help import HelpScreen
from cockpit.ui.screens.main import MainScreen

__all__ = ["DetailScreen", "HelpScreen", "MainScreen"]

"""The cockpit's screens: the main panels, the help, an item's detail."""

from cockpit.screens.detail import DetailScreen
from cockpit.screens.help import HelpScreen
from cockpit.screens.main import MainScreen

__all__ = ["DetailScreen", "HelpScreen", "MainScreen"]

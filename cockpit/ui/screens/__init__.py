"""The cockpit's screens: the main panels, the help, an item's detail, and the rest, one module
each (imported where used, so the first frame loads only the main screen)."""

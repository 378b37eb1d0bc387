"""Source adapters: each talks to one upstream system and returns cockpit models.

No module in this package imports Textual.
"""

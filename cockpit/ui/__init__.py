"""cockpit/ui"""

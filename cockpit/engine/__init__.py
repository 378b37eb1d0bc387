"""cockpit/engine"""

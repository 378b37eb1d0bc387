"""cockpit/engine/report"""

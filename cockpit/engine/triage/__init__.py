"""cockpit/engine/triage"""

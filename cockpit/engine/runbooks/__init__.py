"""cockpit/engine/runbooks"""

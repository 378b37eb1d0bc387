"""cockpit/core"""

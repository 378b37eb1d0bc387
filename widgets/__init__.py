"""The cockpit's panels: one module per panel, each fed models by the app, doing no I/O."""

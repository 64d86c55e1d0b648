"""The command line: ``cascadeflow`` and its commands, one module each (``main`` starts it)."""

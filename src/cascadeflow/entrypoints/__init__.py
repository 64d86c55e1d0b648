"""Ways in, a folder each: ``api`` (the Python API: CascadeAgent, cost tracking,
presets), ``cli`` (the ``cascadeflow`` command) and ``rest`` (the gateway)."""

"""Ways in: the Python API, the CLI and (later) the REST gateway."""

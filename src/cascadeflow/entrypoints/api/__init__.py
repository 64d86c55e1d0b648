"""The Python API: CascadeAgent, cost tracking, presets (what ``cascadeflow`` exports)."""

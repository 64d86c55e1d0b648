"""The plan's ``cascadeflow.utils``: presets. Import the module you need:
``cascadeflow.utils.presets`` (models-only lists) or ``cascadeflow.utils.presets_v2``
(complete configurations)."""

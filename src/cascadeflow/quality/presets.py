"""The plan's ``cascadeflow/quality/presets.py``: the quality presets by name."""

from cascadeflow.domain.quality_presets import QUALITY_PRESETS, quality_preset

__all__ = ["QUALITY_PRESETS", "quality_preset"]

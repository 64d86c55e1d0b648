"""The plan's ``cascadeflow/telemetry/cost_calculator.py``: ``CostCalculator``, the same
class ``cascadeflow.telemetry`` exports."""

from cascadeflow.entrypoints.api.cost_calculator import CostCalculator

__all__ = ["CostCalculator"]

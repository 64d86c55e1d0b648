"""The plan's ``cascadeflow/routing/complexity.py``: query complexity."""

from cascadeflow.domain.complexity import COMPLEXITY_LEVELS, ComplexityAnalyzer

__all__ = ["COMPLEXITY_LEVELS", "ComplexityAnalyzer"]

"""The plan's ``cascadeflow/routing/domain.py``: domain detection."""

from cascadeflow.domain.detection import DomainDetection, DomainDetector, DomainRule, Pattern, WordForm

__all__ = ["DomainDetection", "DomainDetector", "DomainRule", "Pattern", "WordForm"]

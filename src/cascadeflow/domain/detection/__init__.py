"""Rule-based domain detection."""

from cascadeflow.domain.detection.detector import GENERAL, DomainDetection, DomainDetector
from cascadeflow.domain.detection.rules import DomainRule, Pattern, WordForm

__all__ = ["GENERAL", "DomainDetection", "DomainDetector", "DomainRule", "Pattern", "WordForm"]

"""Rule-based domain detection."""

from cascadeflow.domain.detection.detector import GENERAL, DomainDetection, DomainDetector
from cascadeflow.domain.detection.rules import Combination, DomainRule, Pattern, WordForm, combination

__all__ = ["GENERAL", "Combination", "DomainDetection", "DomainDetector", "DomainRule", "Pattern", "WordForm", "combination"]

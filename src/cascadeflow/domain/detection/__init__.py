"""Rule-based domain detection."""

from cascadeflow.domain.detection.detector import GENERAL, Detector, DomainDetection, DomainDetector
from cascadeflow.domain.detection.rules import Combination, DomainRule, Pattern, WordForm, combination

__all__ = ["GENERAL", "Detector", "Combination", "DomainDetection", "DomainDetector", "DomainRule", "Pattern", "WordForm", "combination"]

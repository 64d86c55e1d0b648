"""ComplexityAnalyzer: cheap signals, three levels."""

from __future__ import annotations

import pytest

from cascadeflow import ConfigurationError
from cascadeflow.routing import ComplexityAnalyzer

ANALYZER = ComplexityAnalyzer()


@pytest.mark.parametrize(
    ("query", "level"),
    [
        ("What is 2+2?", "simple"),
        ("what is the capital of australia", "simple"),
        ("Explain quantum physics", "medium"),
        ("Why does ice float on water?", "simple"),
        ("Explain how vaccines train the immune system.", "medium"),
        ("Design microservices architecture", "high"),
        (
            "Compare PostgreSQL and MongoDB for an analytics workload. What are the trade-offs "
            "in consistency, scaling and cost? Which would you choose for 10 TB of events?",
            "high",
        ),
        ("Prove that $\\sqrt{2}$ is irrational and derive the general case for primes.", "high"),
    ],
)
def test_levels(query: str, level: str) -> None:
    assert ANALYZER.analyze(query)["complexity"] == level


def test_signals_are_reported() -> None:
    report = ANALYZER.analyze(
        "1. Explain the bug in:\n```python\ndef f(x): return x +\n```\n2. How would you fix it?"
    )
    assert report["has_code"] and report["multi_part"] and report["questions"] == 1
    assert "explain" in report["reasoning_terms"]
    assert report["words"] > 5 and isinstance(report["score"], float)


def test_math_notation_is_a_signal() -> None:
    assert ANALYZER.analyze("Solve $x^2 - 5x + 6 = 0$")["has_math"]
    assert not ANALYZER.analyze("Tell me a joke")["has_math"]


def test_thresholds_are_validated_and_tunable() -> None:
    with pytest.raises(ConfigurationError):
        ComplexityAnalyzer(medium_at=3, high_at=2)
    eager = ComplexityAnalyzer(medium_at=0.1, high_at=0.2)
    assert eager.analyze("Explain gravity")["complexity"] == "high"

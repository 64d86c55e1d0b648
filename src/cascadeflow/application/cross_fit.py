"""Out-of-fold scores, and the regularisation strength that makes them best.

Calibration chooses its threshold on scores each item got from a model that never saw
it, and the strength of a model's L2 penalty by the log loss of those same out-of-fold
scores. Everything happens inside the items given (the calibration half): the test half
never steers a fitted weight, a strength or a threshold.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from cascadeflow.domain.calibration import fold_of
from cascadeflow.domain.errors import ConfigurationError

T = TypeVar("T")
M = TypeVar("M")


@dataclass(frozen=True, slots=True)
class CrossFitted(Generic[M]):
    model: M  # refitted on every item at the chosen strength
    strength: float
    out_of_fold: dict[str, float]
    log_loss: float


def log_loss(probabilities: Sequence[float], labels: Sequence[bool]) -> float:
    """Mean negative log-likelihood; probabilities are clipped so one sure miss stays finite."""
    total = 0.0
    for p, good in zip(probabilities, labels):
        p = min(max(p, 1e-6), 1 - 1e-6)
        total -= math.log(p if good else 1 - p)
    return total / len(labels)


def cross_fit(
    items: Sequence[T], id_of: Callable[[T], str], labels: Sequence[bool],
    fit: Callable[[Sequence[T], float], M], score: Callable[[M, T], float],
    strengths: Sequence[float], folds: int, group_of: Callable[[T], str] | None = None,
) -> CrossFitted[M]:
    """For each strength, fit on all folds but one and score the one left out; keep the
    strength whose out-of-fold scores have the lowest log loss (ties: the one listed
    first) and refit it on every item. Items of one ``group_of`` (the answers of several
    models to one query) share a fold."""
    if not strengths:
        raise ConfigurationError("cross_fit needs at least one regularisation strength")
    grouped = group_of or id_of
    fold = {id_of(item): fold_of(grouped(item), folds) for item in items}
    candidates = []
    for strength in strengths:
        oof: dict[str, float] = {}
        for k in range(folds):
            held = [item for item in items if fold[id_of(item)] == k]
            if not held:
                continue
            model = fit([item for item in items if fold[id_of(item)] != k], strength)
            oof.update({id_of(item): score(model, item) for item in held})
        candidates.append((log_loss([oof[id_of(item)] for item in items], labels), strength, oof))
    loss, strength, oof = min(candidates, key=lambda c: c[0])
    return CrossFitted(fit(items, strength), strength, oof, loss)

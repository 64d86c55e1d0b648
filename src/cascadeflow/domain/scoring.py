"""One calibrated score in [0, 1] for a draft: the chance that it is good enough.

A ScoreModel is a logistic model over named features (logprob confidence when the
provider gave logprobs, and the rule and text signals of ``draft_features``). The
built-in DEFAULT_DRAFT_MODEL has hand-set weights; ``fit_score_model`` fits one on a
labelled trace, which makes its output a calibrated probability for that traffic.
The same class, over QUERY_FEATURES, scores queries before any model answers
(pre-routing).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from operator import mul
from dataclasses import dataclass, field
from typing import Any

from cascadeflow.domain.draft_features import (
    DRAFT_FEATURES,
    QUERY_FEATURES,
    draft_features,
    query_features,
)
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.long_text import CaseBlind, window
from cascadeflow.domain.quality import (
    HEDGING_CUES,
    HEDGING_PATTERNS,
    REFUSAL_CUES,
    REFUSAL_PATTERNS,
    ValidationContext,
)

_REFUSAL_OR_HEDGE = CaseBlind("|".join(f"(?:{p})" for p in REFUSAL_PATTERNS + HEDGING_PATTERNS),
                              cues=REFUSAL_CUES + HEDGING_CUES)


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


@dataclass(frozen=True, slots=True)
class ScoreModel:
    """``sigmoid(bias + sum(weight * (feature - center) / scale))``.

    ``kind`` says what it reads: ``draft`` (query + answer) or ``query`` (query alone).
    """

    weights: Mapping[str, float]
    bias: float
    kind: str = "draft"
    centers: Mapping[str, float] = field(default_factory=dict)
    scales: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        known = DRAFT_FEATURES if self.kind == "draft" else QUERY_FEATURES
        if self.kind not in ("draft", "query"):
            raise ConfigurationError(f"ScoreModel: kind must be 'draft' or 'query', got {self.kind!r}")
        unknown = set(self.weights) - set(known)
        if unknown:
            raise ConfigurationError(
                f"ScoreModel: unknown {self.kind} features {sorted(unknown)}; known: {', '.join(known)}"
            )

    def probability(self, features: Mapping[str, float]) -> float:
        total = self.bias
        for name, weight in self.weights.items():
            value = features.get(name, 0.0) - self.centers.get(name, 0.0)
            total += weight * value / (self.scales.get(name, 1.0) or 1.0)
        return sigmoid(total)

    def score(self, text: str, context: ValidationContext) -> float:
        """The draft scorer interface of QualityConfig.scorer."""
        return self.probability(features_of(text, context))

    def score_query(self, query: str) -> float:
        return self.probability(query_features(query))

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "bias": self.bias, "weights": dict(self.weights),
                "centers": dict(self.centers), "scales": dict(self.scales)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScoreModel:
        try:
            return cls(weights=dict(data["weights"]), bias=float(data["bias"]),
                       kind=str(data.get("kind", "draft")), centers=dict(data.get("centers", {})),
                       scales=dict(data.get("scales", {})))
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigurationError(f"not a score model: {exc}") from exc


def features_of(text: str, context: ValidationContext) -> dict[str, float]:
    return draft_features(
        context.query, text, context.logprobs, context.finish_reason,
        confidence=context.confidence,
        refusal_or_hedge=_REFUSAL_OR_HEDGE.search(window(text)) is not None,
    )


# Hand-set prior: a clean answer scores about 0.8; each warning sign pulls it down, and
# worked steps (math) lift it, which also spreads scores that would otherwise tie.
DEFAULT_DRAFT_MODEL = ScoreModel(
    bias=1.4,
    weights={
        "refusal_or_hedge": -2.5, "truncated": -2.5, "logprob_confidence": 5.0,
        "self_corrections": -0.8, "approximation": -0.4, "has_final_answer": 0.3,
        "final_not_integer": -0.8, "final_not_last_result": -0.8, "arithmetic_errors": -1.2,
        "question_numbers_used": 0.6, "math_query": -1.0, "steps": 0.3,
    },
)


@dataclass(frozen=True, slots=True)
class PreRouter:
    """Sends a query straight to the strongest model when ``scorer`` gives the draft less
    than ``min_probability`` of being good enough, or when it falls outside the
    ``draft_share`` of queries drafted at all (chosen by a hash of the query text: when
    few drafts can be accepted, paying for every draft costs more than it saves). Either
    way the draft's cost and latency are saved."""

    scorer: ScoreModel | None
    min_probability: float = 0.0
    draft_share: float = 1.0

    def __post_init__(self) -> None:
        if self.scorer is not None and self.scorer.kind != "query":
            raise ConfigurationError("PreRouter: the scorer must be a query ScoreModel")
        for label in ("min_probability", "draft_share"):
            value = getattr(self, label)
            if not 0.0 <= value <= 1.0:
                raise ConfigurationError(f"PreRouter: {label} must be in [0, 1], got {value!r}")

    def query_score(self, query: str) -> float:
        return 1.0 if self.scorer is None else self.scorer.score_query(query)

    def skip_draft(self, query: str) -> bool:
        if self.draft_share < 1.0 and hashed_uniform(query) >= self.draft_share:
            return True
        return self.scorer is not None and self.scorer.score_query(query) < self.min_probability


def hashed_uniform(text: str) -> float:
    """A draw in [0, 1) fixed by the text: the same query always gets the same one."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:7], "big") / float(1 << 56)


@dataclass(frozen=True, slots=True)
class ConfidenceFirst:
    """A draft's own confidence when the provider or trace gives one (token logprobs, a
    recorded confidence), else the ``prior`` model's score. A model's confidence ranks its
    drafts better than text features do, and mixing the two only blurs the ranking that
    online calibration's bins rely on."""

    prior: ScoreModel

    def score(self, text: str, context: ValidationContext) -> float:
        confidence = context.known_confidence
        return self.prior.score(text, context) if confidence is None else confidence

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "confidence-first", "prior": self.prior.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConfidenceFirst:
        return cls(ScoreModel.from_dict(data["prior"]))


# Hand-set prior over query shape: long, multi-part, code and reasoning queries are harder.
DEFAULT_QUERY_MODEL = ScoreModel(
    kind="query",
    bias=4.0,
    weights={"q_log_words": -0.6, "q_questions": -0.3, "q_enumerated": -0.3, "q_code": -0.8,
             "q_reasoning_words": -0.7},
)


# L2 strengths cross-validation chooses from when a ScoreModel is fitted (a dozen or so
# standardised features over hundreds of drafts: from barely to strongly shrunk).
L2_STRENGTHS = (0.1, 1.0, 10.0, 100.0)


def fit_score_model(
    rows: Sequence[Mapping[str, float]], labels: Sequence[bool], *, kind: str = "draft",
    l2: float = 1.0, iterations: int = 25,
) -> ScoreModel:
    """L2-regularised logistic regression (Newton's method) on standardised features;
    ``l2`` is the penalty on the summed log loss (scikit-learn's ``1 / C``)."""
    names = DRAFT_FEATURES if kind == "draft" else QUERY_FEATURES
    if len(rows) != len(labels) or not rows:
        raise ConfigurationError("fit_score_model needs as many labels as rows, and at least one")
    columns = [[row.get(n, 0.0) for row in rows] for n in names]
    centers = [sum(c) / len(c) for c in columns]
    scales = [math.sqrt(sum((v - m) ** 2 for v in c) / len(c)) for c, m in zip(columns, centers)]
    kept = [i for i, s in enumerate(scales) if s > 1e-12]
    # column-major: the Newton sums below run over one column at a time
    x = [[1.0] * len(rows)] + [[(v - centers[i]) / scales[i] for v in columns[i]] for i in kept]
    y = [1.0 if label else 0.0 for label in labels]
    beta = [0.0] * len(x)
    for _ in range(iterations):
        eta = [beta[0]] * len(y)
        for b, col in zip(beta[1:], x[1:]):
            eta = [e + b * v for e, v in zip(eta, col)]
        p = [sigmoid(e) for e in eta]
        residual = [pr - yr for pr, yr in zip(p, y)]
        weight = [pr * (1 - pr) for pr in p]
        gradient = [sum(map(mul, residual, x[j])) + (l2 * beta[j] if j else 0.0) for j in range(len(x))]
        hessian = [[0.0] * len(x) for _ in x]
        for j in range(len(x)):
            weighted = list(map(mul, weight, x[j]))
            for k in range(j, len(x)):
                hessian[j][k] = hessian[k][j] = sum(map(mul, weighted, x[k]))
            hessian[j][j] += (l2 if j else 0.0) + 1e-9
        step = _solve(hessian, gradient)
        beta = [b - s for b, s in zip(beta, step)]
        if max(abs(s) for s in step) < 1e-8:
            break
    return ScoreModel(
        kind=kind, bias=beta[0],
        weights={names[i]: beta[j + 1] for j, i in enumerate(kept)},
        centers={names[i]: centers[i] for i in kept},
        scales={names[i]: scales[i] for i in kept},
    )


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the systems here are tiny)."""
    n = len(vector)
    a = [row[:] + [vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(col + 1, n):
            factor = a[r][col] / a[col][col]
            for c in range(col, n + 1):
                a[r][c] -= factor * a[col][c]
    solution = [0.0] * n
    for r in range(n - 1, -1, -1):
        solution[r] = (a[r][n] - sum(a[r][c] * solution[c] for c in range(r + 1, n))) / a[r][r]
    return solution


def platt(model: ScoreModel, rows: Sequence[Mapping[str, float]], labels: Sequence[bool]) -> ScoreModel:
    """The same ranking, rescaled so that its output is a calibrated probability on these
    labelled rows: ``sigmoid(a * logit + b)`` folded into the model's weights (a > 0)."""
    logits = [_logit(model.probability(row)) for row in rows]
    y = [1.0 if label else 0.0 for label in labels]
    a, b = 1.0, 0.0
    for _ in range(50):
        p = [sigmoid(a * z + b) for z in logits]
        ga = sum((pi - yi) * z for pi, yi, z in zip(p, y, logits)) + 1e-3 * (a - 1.0)
        gb = sum(pi - yi for pi, yi in zip(p, y))
        w = [pi * (1 - pi) for pi in p]
        haa = sum(wi * z * z for wi, z in zip(w, logits)) + 1e-3
        hab = sum(wi * z for wi, z in zip(w, logits))
        hbb = sum(w) + 1e-9
        det = haa * hbb - hab * hab
        if det <= 0:
            break
        da, db = (hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det
        a, b = a - da, b - db
        if abs(da) + abs(db) < 1e-10:
            break
    a = max(a, 1e-3)
    return ScoreModel(weights={k: a * w for k, w in model.weights.items()}, bias=a * model.bias + b,
                      kind=model.kind, centers=model.centers, scales=model.scales)


def _logit(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))

"""A draft score that each route learns from its own labels, which cost nothing.

The built-in draft score has hand-set weights: it ranks GSM8K's drafts well and a
multiple-choice model's hardly at all. Online calibration labels most drafts anyway
(an escalated draft is compared with the verifier's answer), so each route fits a
logistic model of agreement on the draft's features (``DRAFT_FEATURES``) over a window
of its recent drafts, and ranks its drafts by it once it ranks them better than the
built-in score.

No label from the report side is read: the target is agreement with the verifier, the
same label the plan's bound is built on. The model is fitted twice, on two halves of
the window (drawn by a generator seeded with the window's size, so that every process
splits a window alike and no periodic pattern in the traffic lines up with the halves): each sample is scored by the half that did not see
it (the plan's bins count those scores, so a fit cannot flatter its own evidence), and
a new draft by the mean of the two. A model is adopted only when its out-of-fold
ranking of the window's labelled drafts beats the built-in score's on the same drafts.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cascadeflow.domain.calibration import auc
from cascadeflow.domain.draft_features import DRAFT_FEATURES
from cascadeflow.domain.online_evidence import EvidenceBin, Sample
from cascadeflow.domain.scoring import ScoreModel, fit_score_model

__all__ = ["LearnedScore", "feature_vector", "fit_learned_score", "histogram"]

L2 = 10.0  # ridge penalty on standardised features: a dozen-odd features over hundreds of labels
MIN_PER_CLASS = 10  # agreeing and disagreeing labelled drafts each half needs before a fit


def feature_vector(features: Mapping[str, float]) -> tuple[float, ...]:
    return tuple(float(features.get(name, 0.0)) for name in DRAFT_FEATURES)


@dataclass(frozen=True, slots=True)
class LearnedScore:
    """Two halves' models; ``auc`` and ``prior_auc``: out-of-fold ranking of the window's
    labelled drafts by agreement, learnt and built-in; ``labels`` it was fitted on."""

    halves: tuple[ScoreModel, ScoreModel]
    auc: float
    prior_auc: float
    labels: int

    def score(self, features: Sequence[float]) -> float:
        named = dict(zip(DRAFT_FEATURES, features))
        return (self.halves[0].probability(named) + self.halves[1].probability(named)) / 2

    @property
    def adopted(self) -> bool:
        return self.auc > self.prior_auc

    def note(self) -> str:
        state = "used" if self.adopted else "not used (the built-in score ranks better)"
        return (f"learnt draft score on {self.labels} labels: AUC {self.auc:.2f} against the built-in "
                f"{self.prior_auc:.2f}, {state}")


def fit_learned_score(samples: Sequence[Sample]) -> tuple[LearnedScore, list[float]] | None:
    """The two halves' models and every sample's out-of-fold score (0 for a draft that
    broke a rule), or None while either half lacks labels of both kinds."""
    draw = random.Random(len(samples))
    fold = [draw.random() < 0.5 for _ in samples]
    halves: list[ScoreModel] = []
    for half in (False, True):
        rows = [s for s, f in zip(samples, fold) if f is half and s.usable and s.labelled]
        agreeing = sum(not s.disagreed for s in rows)
        if min(agreeing, len(rows) - agreeing) < MIN_PER_CLASS:
            return None
        halves.append(fit_score_model([dict(zip(DRAFT_FEATURES, s.features)) for s in rows],
                                      [not s.disagreed for s in rows], l2=L2))
    scores: list[float] = []
    for sample, f in zip(samples, fold):
        other = halves[0 if f else 1]
        scores.append(other.probability(dict(zip(DRAFT_FEATURES, sample.features))) if sample.usable else 0.0)
    labelled = [(score, s) for score, s in zip(scores, samples) if s.usable and s.labelled]
    agreed = [not s.disagreed for _, s in labelled]  # both kinds are there: each half had both
    learnt = auc([x for x, _ in labelled], agreed)
    prior = auc([s.prior for _, s in labelled], agreed)
    return LearnedScore((halves[0], halves[1]), learnt, prior, len(labelled)), scores


def histogram(samples: Sequence[Sample], scores: Sequence[float], bins: int) -> tuple[EvidenceBin, ...]:
    """The plan's evidence from a window of samples scored on one scale. A label counts
    by the inverse of its chance of being drawn, and a bin's labels are its effective
    number ((sum w)^2 / sum w^2), so a few heavily weighted labels do not pass for many."""
    seen = [0] * bins
    weight, square, against = [0.0] * bins, [0.0] * bins, [0.0] * bins
    for sample, score in zip(samples, scores):
        index = min(bins - 1, max(0, int(score * bins)))
        seen[index] += 1
        if sample.labelled:
            w = 1.0 / max(sample.chance, 1e-3)
            weight[index] += w
            square[index] += w * w
            against[index] += w * sample.disagreed
    evidence = []
    for n, w, w2, d in zip(seen, weight, square, against):
        effective = w * w / w2 if w2 else 0.0
        labelled = min(n, round(effective))
        evidence.append(EvidenceBin(n, labelled, min(labelled, round(labelled * d / w)) if w else 0))
    return tuple(evidence)

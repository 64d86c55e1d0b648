"""A draft score that each route learns from its own labels, which cost nothing.

The built-in draft score has hand-set weights: it ranks GSM8K's drafts well and a
multiple-choice model's hardly at all. Online calibration labels most drafts anyway
(an escalated draft is compared with the verifier's answer), so a route can fit a
logistic model of agreement on the draft's features (``DRAFT_FEATURES``) over a window
of its recent drafts, and rank its drafts by it once it ranks them better than the
built-in score.

No label from the report side is read: the target is agreement with the verifier, the
same label the plan's bound is built on. Every draft belongs to one of two folds (drawn
from its query's key); the model is fitted once per fold, and a draft, whether it was
in the window the models were fitted on or came later, is always scored by the model of
the other fold. So the plan's bins count scores no model fitted to flatter, and a live
draft is decided on exactly the scale of the evidence its plan was fitted on. A model is
adopted only when its out-of-fold ranking of the window's labelled drafts beats the
built-in score's on the same drafts.

Labels are counted as they come: an accepted draft is labelled only in the shadow, so a
bin on the new scale holds more labels of drafts the old plan escalated (lower built-in
scores, more disagreement) than of those it accepted, which errs towards escalating.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cascadeflow.domain.calibration import auc
from cascadeflow.domain.draft_features import DRAFT_FEATURES
from cascadeflow.domain.online_evidence import EvidenceBin, Sample
from cascadeflow.domain.scoring import ScoreModel, fit_score_model

__all__ = ["LearnedScore", "feature_vector", "fit_learned_score", "histogram"]

L2 = 10.0  # ridge penalty on standardised features: a dozen-odd features over hundreds of labels
MIN_PER_CLASS = 10  # agreeing and disagreeing labelled drafts each fold needs before a fit


def feature_vector(features: Mapping[str, float]) -> tuple[float, ...]:
    return tuple(float(features.get(name, 0.0)) for name in DRAFT_FEATURES)


@dataclass(frozen=True, slots=True)
class LearnedScore:
    """The models fitted on each fold (``halves[0]`` on fold False); ``auc`` and
    ``prior_auc``: out-of-fold ranking of the window's labelled drafts by agreement,
    learnt and built-in; ``labels`` it was fitted on."""

    halves: tuple[ScoreModel, ScoreModel]
    auc: float
    prior_auc: float
    labels: int

    def score(self, features: Sequence[float], fold: bool) -> float:
        """A draft of ``fold`` scored by the model fitted on the other fold (0 for a draft
        without features: one that broke a rule)."""
        if len(features) != len(DRAFT_FEATURES):
            return 0.0
        return self.halves[0 if fold else 1].probability(dict(zip(DRAFT_FEATURES, features)))

    @property
    def adopted(self) -> bool:
        return self.auc > self.prior_auc

    def note(self) -> str:
        state = "used" if self.adopted else "not used (the built-in score ranks better)"
        return (f"learnt draft score on {self.labels} labels: AUC {self.auc:.2f} against the built-in "
                f"{self.prior_auc:.2f}, {state}")


def fit_learned_score(samples: Sequence[Sample]) -> LearnedScore | None:
    """The two folds' models, or None while either fold lacks labels of both kinds."""
    halves: list[ScoreModel] = []
    for fold in (False, True):
        rows = [s for s in samples if s.fold is fold and s.usable and s.labelled]
        agreeing = sum(not s.disagreed for s in rows)
        if min(agreeing, len(rows) - agreeing) < MIN_PER_CLASS:
            return None
        halves.append(fit_score_model([dict(zip(DRAFT_FEATURES, s.features)) for s in rows],
                                      [not s.disagreed for s in rows], l2=L2))
    partial = LearnedScore((halves[0], halves[1]), 0.5, 0.5, 0)
    labelled = [s for s in samples if s.usable and s.labelled]
    agreed = [not s.disagreed for s in labelled]  # both kinds are there: each fold had both
    return LearnedScore(partial.halves, auc([partial.score(s.features, s.fold) for s in labelled], agreed),
                        auc([s.prior for s in labelled], agreed), len(labelled))


def histogram(samples: Sequence[Sample], scores: Sequence[float], bins: int) -> tuple[EvidenceBin, ...]:
    """The plan's evidence from a window of samples scored on one scale."""
    seen, labelled, disagreed = [0] * bins, [0] * bins, [0] * bins
    for sample, score in zip(samples, scores):
        index = min(bins - 1, max(0, int(score * bins)))
        seen[index] += 1
        if sample.labelled:
            labelled[index] += 1
            disagreed[index] += sample.disagreed
    return tuple(EvidenceBin(s, n, d) for s, n, d in zip(seen, labelled, disagreed))

"""What online calibration has seen of one route (a draft model checked against a verifier).

Everything is a count or a sum, so evidence from many processes adds up in a shared
store: per score bin, drafts seen, drafts labelled (the verifier answered too) and
labelled drafts that disagreed; and the money spent on drafts and on verifier calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cascadeflow.domain.draft_features import DRAFT_FEATURES

# A sample's features are stored as a list in DRAFT_FEATURES order; this version number
# changes whenever that order or a feature's meaning does (older samples are ignored).
FEATURES_VERSION = 1
KEEP_SAMPLES = 20_000  # samples a store keeps per route (about: the newest)


@dataclass(frozen=True, slots=True)
class EvidenceBin:
    seen: int = 0
    labelled: int = 0
    disagreed: int = 0

    def plus(self, other: EvidenceBin) -> EvidenceBin:
        return EvidenceBin(self.seen + other.seen, self.labelled + other.labelled,
                           self.disagreed + other.disagreed)


@dataclass(frozen=True, slots=True)
class CallCosts:
    """Mean cost of a draft and of a verifier call, as seen so far (0: not known yet)."""

    draft: float = 0.0
    verifier: float = 0.0

    @property
    def known(self) -> bool:
        return self.draft > 0.0 and self.verifier > 0.0


@dataclass(frozen=True, slots=True)
class Sample:
    """One drafted query: the draft's features (empty when it broke a rule: it scores 0
    and is never accepted), its built-in score, its label, and its fold: which half of a
    learnt score's fit it belongs to (drawn from the query's key, so that every route and
    replica puts it in the same half)."""

    features: tuple[float, ...]
    prior: float
    labelled: bool = False
    disagreed: bool = False
    fold: bool = False

    @property
    def usable(self) -> bool:
        return len(self.features) == len(DRAFT_FEATURES)


@dataclass(frozen=True, slots=True)
class Observation:
    """What one query taught a route: the draft's score bin (None: not drafted, the query
    went straight to the verifier), whether the verifier's answer labelled it and
    whether they disagreed, and what each call cost (None: not called)."""

    bin: int | None
    labelled: bool = False
    disagreed: bool = False
    draft_cost: float | None = None
    verifier_cost: float | None = None
    sample: Sample | None = None  # the draft's features, for a learnt score (online_score)


@dataclass(frozen=True, slots=True)
class RouteEvidence:
    bins: tuple[EvidenceBin, ...]
    drafts: int = 0
    draft_cost: float = 0.0
    verifier_calls: int = 0
    verifier_cost: float = 0.0

    @classmethod
    def empty(cls, bins: int) -> RouteEvidence:
        return cls((EvidenceBin(),) * bins)

    def costs(self) -> CallCosts:
        return CallCosts(
            self.draft_cost / self.drafts if self.drafts else 0.0,
            self.verifier_cost / self.verifier_calls if self.verifier_calls else 0.0,
        )

    def plus(self, observations: Sequence[Observation]) -> RouteEvidence:
        bins = list(self.bins)
        drafts, draft_cost = self.drafts, self.draft_cost
        calls, verifier_cost = self.verifier_calls, self.verifier_cost
        for seen in observations:
            if seen.bin is not None:
                bins[seen.bin] = bins[seen.bin].plus(
                    EvidenceBin(1, int(seen.labelled), int(seen.labelled and seen.disagreed)))
            if seen.draft_cost is not None:
                drafts += 1
                draft_cost += seen.draft_cost
            if seen.verifier_cost is not None:
                calls += 1
                verifier_cost += seen.verifier_cost
        return RouteEvidence(tuple(bins), drafts, draft_cost, calls, verifier_cost)

    @property
    def labelled(self) -> int:
        return sum(b.labelled for b in self.bins)

"""Which drafts to accept, learnt from agreement with the verifier instead of labels.

Evidence is kept as counts over a fixed grid of draft scores: for each score bin, how
many drafts were seen, how many got a label (the verifier answered too: the draft was
escalated, or checked in the shadow of an accepted one) and how many of those disagreed
with the verifier. Counts add up, so replicas can share them through a store.

A plan is fitted from the counts. Bins are pooled from the highest score down into
groups holding enough labels; each group's disagreement rate gets a Beta posterior.
Groups are accepted from the top while the one-sided upper confidence bound of the
quality lost stays within the allowance (``1 - target_quality``); the group where the
allowance runs out is accepted in part, at random, so that a score that separates
nothing still buys the cheapest random acceptance rate the bound allows, never
escalating everything. Groups are taken from the top only once the route's labels
show the score ranking its drafts; until then every drafted score is accepted alike, at
random. Until ``min_labels`` labels exist nothing is accepted: the warm-up. A
disagreement is charged ``disagreement_loss`` of the verifier's quality: on a
disagreement the verifier is sometimes the one that is wrong, or both are.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from enum import Enum
from functools import cache
from statistics import NormalDist

from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.online_evidence import CallCosts, EvidenceBin

__all__ = ["DRAFT_SHARES", "AcceptancePlan", "Decision", "OnlineSettings", "decide", "drafts", "fit_plan",
           "split_allowance"]


class Decision(str, Enum):
    ACCEPT = "accept"
    SHADOW = "shadow"  # accepted, and the verifier answers too: a label for the accepted region
    ESCALATE = "escalate"


@dataclass(frozen=True, slots=True)
class OnlineSettings:
    """How the online policy trades cost for quality.

    ``target_quality``: share of the verifier's quality to keep, held as a one-sided
    lower bound at ``confidence``. ``shadow_share``: share of accepted drafts the
    verifier answers too. ``min_labels``: labels to collect (escalating everything)
    before any draft is accepted. ``disagreement_loss``: quality a disagreement is
    charged, as a share of the verifier's. ``refit_every``: observations between refits.
    ``domain_min_labels``: labels a domain's own evidence needs before its own plan
    decides which drafts are accepted (queries of a known domain teach both the domain's
    evidence and the route's; whether to draft follows the domain's own evidence from
    the start; 0: one plan for all domains). ``draft_samples=2`` (opt-in, priced): a
    draft that passes the rules is asked for again, and whether the two samples agree
    splits its score (agreeing drafts rank above every disagreeing one).
    ``plan_domains`` limits the domains that get plans of their own (the gateway: its
    known domains, so clients cannot fill the slots with made-up ones).
    ``learn_score`` (opt-in): each route learns a draft score from its own labels (its last
    ``score_window`` drafts' features), fitted once ``learn_min_labels`` labels are in
    the window and used while its last fit ranks drafts better than the built-in score
    (not with ``draft_samples=2``, which ranks drafts on a scale of its own).
    """

    target_quality: float = 0.95
    confidence: float = 0.9
    shadow_share: float = 0.1
    min_labels: int = 30
    disagreement_loss: float = 1.0
    bins: int = 100
    group_labels: int = 25
    refit_every: int = 10
    judge: bool = True  # long free text: ask the strongest model whether the draft is as good
    prior_disagreement: float = 0.5
    prior_strength: float = 2.0
    explore: float = 0.1
    domain_min_labels: int = 100
    draft_samples: int = 1
    plan_domains: tuple[str, ...] | None = None  # the domains that may get plans (None: any)
    learn_score: bool = False
    learn_min_labels: int = 100
    score_window: int = 4000

    def __post_init__(self) -> None:
        checks = (
            ("target_quality", 0.0 < self.target_quality <= 1.0, "in (0, 1], such as 0.95"),
            ("confidence", 0.0 <= self.confidence < 1.0, "in [0, 1), such as 0.9"),
            ("shadow_share", 0.0 <= self.shadow_share <= 1.0, "in [0, 1], such as 0.1"),
            ("min_labels", self.min_labels >= 0, "an integer >= 0"),
            ("disagreement_loss", 0.0 < self.disagreement_loss <= 1.0, "in (0, 1]"),
            ("bins", self.bins >= 1, "an integer >= 1"),
            ("group_labels", self.group_labels >= 1, "an integer >= 1"),
            ("refit_every", self.refit_every >= 1, "an integer >= 1"),
            ("prior_disagreement", 0.0 < self.prior_disagreement < 1.0, "in (0, 1)"),
            ("prior_strength", self.prior_strength > 0.0, "positive"),
            ("explore", 0.0 < self.explore < 1.0, "in (0, 1), such as 0.1"),
            ("domain_min_labels", self.domain_min_labels >= 0, "an integer >= 0 (0: one plan for all domains)"),
            ("draft_samples", self.draft_samples in (1, 2), "1, or 2 to sample each draft twice"),
            ("learn_min_labels", self.learn_min_labels >= 40, "an integer >= 40"),
            ("score_window", self.score_window >= 100, "an integer >= 100"),
        )
        if self.learn_score and self.draft_samples != 1:
            raise ConfigurationError("online calibration: learn_score works on single samples; "
                                     "draft_samples=2 ranks drafts by their two samples' agreement instead")
        for label, ok, wanted in checks:
            if not ok:
                raise ConfigurationError(f"online calibration: {label} must be {wanted}, got {getattr(self, label)!r}")

    @property
    def allowance(self) -> float:
        """Share of drafts that may disagree with the verifier."""
        return (1.0 - self.target_quality) / self.disagreement_loss

    def bin_of(self, score: float) -> int:
        return min(self.bins - 1, max(0, int(score * self.bins)))


@dataclass(frozen=True, slots=True)
class AcceptancePlan:
    """Acceptance probability by score bin, and what the evidence says of it.

    ``draft_share`` is the share of queries drafted at all: when few drafts would be
    accepted, paying for every draft costs more than it saves, and the rest go straight
    to the verifier. ``quality`` is the estimated share of the verifier's quality kept
    by the plan and ``bound`` its one-sided lower confidence bound; ``threshold`` the
    lowest score accepted at all (1.0 and above: none).
    """

    acceptance: tuple[float, ...]
    quality: float
    bound: float
    threshold: float
    seen: int
    labelled: int
    disagreed: int
    accepted_share: float = 0.0
    draft_share: float = 1.0
    notes: tuple[str, ...] = field(default=())

    @classmethod
    def escalate_all(cls, bins: int, seen: int = 0, labelled: int = 0, disagreed: int = 0,
                     note: str = "warming up") -> AcceptancePlan:
        return cls((0.0,) * bins, 1.0, 1.0, float("inf"), seen, labelled, disagreed, 0.0, 1.0, (note,))

    def acceptance_of(self, score: float) -> float:
        bins = len(self.acceptance)
        return self.acceptance[min(bins - 1, max(0, int(score * bins)))]


@dataclass(slots=True)
class _Group:
    bins: list[int]
    seen: int = 0
    labelled: float = 0  # a pooled group's are effective numbers (weighted by traffic)
    disagreed: float = 0


def _groups(evidence: Sequence[EvidenceBin], wanted: int) -> list[_Group]:
    """Bins pooled from the highest score down, each group with ``wanted`` labels or more
    (the lowest group takes what is left)."""
    groups: list[_Group] = []
    current = _Group([])
    for index in range(len(evidence) - 1, -1, -1):
        counts = evidence[index]
        if not counts.seen:
            continue
        current.bins.append(index)
        current.seen += counts.seen
        current.labelled += counts.labelled
        current.disagreed += counts.disagreed
        if current.labelled >= wanted:
            groups.append(current)
            current = _Group([])
    if current.bins:
        if groups and current.labelled < wanted:
            last = groups[-1]
            last.bins += current.bins
            last.seen += current.seen
            last.labelled += current.labelled
            last.disagreed += current.disagreed
        else:
            groups.append(current)
    return groups


# The least share of queries a route drafts while its drafts have brought no label at all.
NO_LABEL_FLOOR = 0.01

# Shares of queries to draft that a plan considers (1.0: the classic cascade).
DRAFT_SHARES = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, 0.05)


@dataclass(frozen=True, slots=True)
class _Acceptance:
    table: tuple[float, ...]
    loss: float  # share of drafted queries accepted and disagreeing (estimate)
    spread: float  # its z * standard error
    accepted: float  # share of drafted queries accepted
    threshold: float


def fit_plan(evidence: Sequence[EvidenceBin], settings: OnlineSettings,
             costs: CallCosts | None = None) -> AcceptancePlan:
    """The cheapest plan whose lower bound of kept quality reaches the target.

    With the mean costs of a draft and a verifier call known, the plan also chooses the
    share of queries to draft: drafting a query costs a draft, accepting it saves a
    verifier call, and the allowance is spread over fewer drafts. Of the queries drafted,
    at least ``explore`` are escalated (or shadowed) so that labels keep coming.
    """
    if len(evidence) != settings.bins:
        raise ConfigurationError(f"online calibration: {len(evidence)} evidence bins for {settings.bins} score bins")
    total = EvidenceBin()
    for counts in evidence:
        total = total.plus(counts)
    if total.labelled < max(1, settings.min_labels):
        plan = AcceptancePlan.escalate_all(settings.bins, total.seen, total.labelled, total.disagreed,
                                           f"warming up: {total.labelled} of {settings.min_labels} labels")
        wanted = max(1, settings.min_labels)
        if costs is not None and costs.known and total.seen >= wanted:
            # many drafts, few labels (answers no extractor reads and no judge): stop paying
            # for drafts that cannot be accepted, but keep a few coming for the labels. Not
            # one label from the first ``min_labels`` drafts: stop at once, and draft ever
            # fewer (down to NO_LABEL_FLOOR) while none comes
            if not total.labelled:
                decay = min(1.0, 4 * wanted / total.seen)
                plan = replace(plan, draft_share=max(NO_LABEL_FLOOR, settings.explore * decay))
            elif total.seen >= 4 * wanted:
                plan = replace(plan, draft_share=settings.explore)
        return plan
    costs = costs or CallCosts()
    share, chosen, ranked = _ordering(evidence, total.seen, settings, costs)
    charged = settings.disagreement_loss
    return AcceptancePlan(
        acceptance=chosen.table,
        quality=1.0 - charged * share * chosen.loss,
        bound=1.0 - charged * share * (chosen.loss + chosen.spread),
        threshold=chosen.threshold,
        seen=total.seen,
        labelled=total.labelled,
        disagreed=total.disagreed,
        accepted_share=share * chosen.accepted,
        draft_share=share,
        notes=() if ranked else (UNRANKED_NOTE,),
    )


UNRANKED_NOTE = "the score does not rank drafts on this route: drafts are accepted at random"


def _ordering(evidence: Sequence[EvidenceBin], seen: int, settings: OnlineSettings,
                   costs: CallCosts) -> tuple[float, _Acceptance, bool]:
    """The draft share and acceptance of the plan, and whether it follows the score.

    The score is a prior, hand-set or learnt; on traffic it does not rank (or ranks
    backwards), accepting from the top takes drafts that disagree more often than
    average, and the same bound then buys less than random acceptance would. So drafts
    are accepted from the highest score down only once this route's own labels show the
    score ranking them (the agreement AUC of the scores, each bin weighted by its
    traffic, above 0.5 at the plan's confidence); until then every drafted score is
    accepted alike, at random. Score 0 (drafts that broke a rule, which are never
    accepted) stays out of that pooled group."""
    ordered = _groups(evidence, settings.group_labels)
    pooled = _pooled(evidence)
    if pooled is None or len(ordered) <= 1 or _score_ranks(evidence, pooled, settings.confidence):
        return (*_plan_for(ordered, seen, settings, costs), True)
    return (*_plan_for([pooled], seen, settings, costs), False)


def _score_ranks(evidence: Sequence[EvidenceBin], pooled: _Group, confidence: float) -> bool:
    """Whether the drafts that agreed score higher than those that disagreed, beyond
    chance at ``confidence``: the AUC over the bins above 0, each bin's agreeing and
    disagreeing drafts estimated from its labels and weighted by its traffic (accepted
    bins are labelled only in the shadow), with Hanley and McNeil's standard error on
    the labels' effective number (``pooled``'s, from ``_pooled``)."""
    agreeing = disagreeing = above = 0.0  # above: pairs in the right order, ties counting half
    for counts in evidence[1:]:
        if counts.labelled:
            rate = counts.disagreed / counts.labelled
            good, bad = counts.seen * (1.0 - rate), counts.seen * rate
            above += good * (disagreeing + bad / 2)
            agreeing += good
            disagreeing += bad
    if not disagreeing or not agreeing:
        return True  # nothing to rank: the score's order costs nothing
    auc = above / (agreeing * disagreeing)
    n_bad = pooled.disagreed
    n_good = pooled.labelled - n_bad
    if n_good < 1 or n_bad < 1:
        return False
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    variance = (auc * (1 - auc) + (n_good - 1) * (q1 - auc * auc)
                + (n_bad - 1) * (q2 - auc * auc)) / (n_good * n_bad)
    z = NormalDist().inv_cdf(confidence) if confidence > 0 else 0.0
    return auc - z * math.sqrt(max(0.0, variance)) > 0.5


def _plan_for(groups: Sequence[_Group], seen: int, settings: OnlineSettings,
              costs: CallCosts) -> tuple[float, _Acceptance]:
    """Draft share and acceptance of accepting ``groups`` in their order."""
    share = _draft_share(groups, seen, settings, costs)
    chosen = _accept(groups, seen, settings, settings.allowance / share)
    if share < 1.0 and chosen.accepted > 1.0 - settings.explore:
        chosen = _scaled(chosen, (1.0 - settings.explore) / chosen.accepted)
    return share, chosen


def _pooled(evidence: Sequence[EvidenceBin]) -> _Group | None:
    """Every bin above the lowest as one group (None: no label there), its disagreement
    rate the bins' rates weighted by their traffic and its labels their effective
    number (accepted bins are labelled only in the shadow: plain counts would let the
    escalated bins speak for them)."""
    seen = labels = weights = disagreed = 0.0
    for counts in evidence[1:]:
        if counts.labelled:
            labels += counts.seen
            disagreed += counts.seen * counts.disagreed / counts.labelled
            weights += counts.seen * counts.seen / counts.labelled
        seen += counts.seen
    if not labels:
        return None
    effective = labels * labels / weights
    return _Group(list(range(len(evidence) - 1, 0, -1)), int(seen), effective, effective * disagreed / labels)


def _draft_share(groups: Sequence[_Group], seen: int, settings: OnlineSettings, costs: CallCosts) -> float:
    """The share of queries worth drafting, judged on the point estimates (no margin):
    optimism keeps the drafts, and with them the labels, coming while the evidence is
    thin; once it shows that few drafts can be accepted, most queries skip the draft."""
    if not costs.known:
        return 1.0
    hopeful = replace(settings, confidence=0.0)
    best, chosen = -math.inf, 1.0
    for share in DRAFT_SHARES:
        found = _accept(groups, seen, hopeful, settings.allowance / share)
        accepted = min(found.accepted, 1.0 - settings.explore) if share < 1.0 else found.accepted
        saving = share * (accepted * costs.verifier - costs.draft)
        if saving > best + 1e-15:
            best, chosen = saving, share
    return chosen


def _accept(groups: Sequence[_Group], seen: int, settings: OnlineSettings, allowance: float) -> _Acceptance:
    """Accept groups from the highest score down while the upper bound of the share of
    drafts accepted and disagreeing stays within ``allowance``; the last one in part."""
    z = NormalDist().inv_cdf(settings.confidence) if settings.confidence > 0 else 0.0
    alpha = settings.prior_disagreement * settings.prior_strength
    beta = (1.0 - settings.prior_disagreement) * settings.prior_strength
    table = [0.0] * settings.bins
    loss = variance = accepted = 0.0
    threshold = float("inf")
    for group in groups:
        share = group.seen / seen
        rate = (group.disagreed + alpha) / (group.labelled + alpha + beta)
        rate_variance = rate * (1.0 - rate) / (group.labelled + alpha + beta + 1.0)
        take = _largest_share(loss, variance, share * rate, share * share * rate_variance, z, allowance)
        if take <= 0.0:
            break
        for index in group.bins:
            table[index] = take
        threshold = min(group.bins) / settings.bins
        loss += take * share * rate
        variance += take * take * share * share * rate_variance
        accepted += take * share
        if take < 1.0:
            break
    return _Acceptance(tuple(table), loss, z * math.sqrt(variance), accepted, threshold)


def _scaled(found: _Acceptance, factor: float) -> _Acceptance:
    return _Acceptance(tuple(a * factor for a in found.table), found.loss * factor,
                       found.spread * factor, found.accepted * factor, found.threshold)


def _largest_share(loss: float, variance: float, mean: float, spread: float, z: float,
                   allowance: float) -> float:
    """The largest share a in [0, 1] of a group to accept with
    ``loss + a * mean + z * sqrt(variance + a^2 * spread) <= allowance``."""

    def fits(a: float) -> bool:
        return loss + a * mean + z * math.sqrt(variance + a * a * spread) <= allowance + 1e-12

    if fits(1.0):
        return 1.0
    if not fits(0.0):
        return 0.0
    low, high = 0.0, 1.0
    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    return low


# A chain's allowance is shared between its drafts in tenths; a chain of more drafts than
# SPLIT_DRAFTS shares it equally (the splits to try grow too many).
SPLIT_STEPS = 10
SPLIT_DRAFTS = 5


def split_allowance(routes: Sequence[tuple[Sequence[EvidenceBin], CallCosts]], settings: OnlineSettings
                    ) -> tuple[tuple[float, ...], tuple[AcceptancePlan, ...]]:
    """How the drafts of a chain share its quality allowance (``1 - target_quality``), and
    each draft's plan with its share; ``routes`` are the drafts' evidence and call costs,
    cheapest model first.

    Each draft's disagreements are charged to the whole chain's allowance, so the shares
    add up to one and the chain keeps its target however they are split. An equal split
    wastes it where one draft agrees with the strongest model far more often than another
    (a strong middle model under a weak first one): every split in tenths is tried, and
    the one whose plans save most is kept, the equal split unless another saves more. A
    draft's saving is the calls it makes unnecessary (the strongest model's, and the later
    drafts') on the queries it answers, less what its drafts cost, counted on the queries
    that reach it (those the drafts before it did not answer); on point estimates of the
    plans, each fitted with its bound."""
    count = len(routes)
    equal = (1.0 / count,) * count
    plans: dict[tuple[int, float], AcceptancePlan] = {}

    def plan(index: int, share: float) -> AcceptancePlan:
        found = plans.get((index, share))
        if found is None:
            bins, costs = routes[index]
            target = 1.0 - (1.0 - settings.target_quality) * share
            found = plans[(index, share)] = fit_plan(bins, replace(settings, target_quality=min(1.0, target)), costs)
        return found

    def saving(split: tuple[float, ...]) -> float:
        chosen = [plan(i, share) for i, share in enumerate(split)]
        total, reaching = 0.0, 1.0
        for i, found in enumerate(chosen):
            costs = routes[i][1]
            later = sum(chosen[j].draft_share * routes[j][1].draft for j in range(i + 1, count))
            total += reaching * (found.accepted_share * (costs.verifier + later) - found.draft_share * costs.draft)
            reaching *= 1.0 - found.accepted_share
        return total

    best_split, best = equal, saving(equal)
    if 1 < count <= SPLIT_DRAFTS and all(costs.known for _, costs in routes):
        tolerance = 1e-9 * max(costs.verifier for _, costs in routes)
        for split in _splits(count, SPLIT_STEPS):
            found = saving(split)
            if found > best + tolerance:
                best_split, best = split, found
    return best_split, tuple(plan(i, share) for i, share in enumerate(best_split))


@cache
def _splits(parts: int, steps: int) -> list[tuple[float, ...]]:
    """Every way to cut one into ``parts`` shares that are multiples of ``1 / steps``."""
    return [tuple(units / steps for units in cut) for cut in _compositions(parts, steps)]


def _compositions(parts: int, total: int) -> list[tuple[int, ...]]:
    if parts == 1:
        return [(total,)]
    return [(first, *rest) for first in range(total + 1) for rest in _compositions(parts - 1, total - first)]


def drafts(plan: AcceptancePlan, draw: float) -> bool:
    """Whether to draft this query at all (``draw`` uniform in [0, 1)); if not, the query
    goes straight to the verifier."""
    return draw < plan.draft_share


def decide(plan: AcceptancePlan, score: float, accept_draw: float, shadow_draw: float,
           shadow_share: float, scale: float = 1.0) -> Decision:
    """Accept with the plan's probability for this score (``accept_draw`` uniform in [0, 1)),
    times ``scale``; an accepted draft is shadowed with probability ``shadow_share``."""
    if accept_draw >= plan.acceptance_of(score) * scale:
        return Decision.ESCALATE
    return Decision.SHADOW if shadow_draw < shadow_share else Decision.ACCEPT


def plan_to_dict(plan: AcceptancePlan) -> dict[str, object]:
    """The JSON-ready form of a plan (status reports, stores)."""
    return {
        "acceptance": list(plan.acceptance), "quality": plan.quality, "bound": plan.bound,
        "threshold": None if math.isinf(plan.threshold) else plan.threshold, "seen": plan.seen,
        "labelled": plan.labelled, "disagreed": plan.disagreed, "accepted_share": plan.accepted_share,
        "draft_share": plan.draft_share, "notes": list(plan.notes),
    }


def plan_from_dict(data: Mapping[str, Any]) -> AcceptancePlan:
    try:
        threshold = data.get("threshold")
        return AcceptancePlan(
            acceptance=tuple(float(a) for a in data["acceptance"]), quality=float(data["quality"]),
            bound=float(data["bound"]), threshold=math.inf if threshold is None else float(threshold),
            seen=int(data["seen"]), labelled=int(data["labelled"]), disagreed=int(data["disagreed"]),
            accepted_share=float(data["accepted_share"]), draft_share=float(data["draft_share"]),
            notes=tuple(str(n) for n in data.get("notes", ())),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigurationError(f"not an online calibration plan: {exc}") from exc

"""Online calibration: the live acceptance policy that learns without labels.

A route is one draft model checked against the cascade's strongest model. For each
route the policy keeps evidence (in a CalibrationStore, shared by replicas) and a plan
fitted from it: which share of queries to draft, and which drafts to accept by score.
Every query teaches it something: an escalated draft is labelled for free by the
verifier's answer (agree or not), a share of accepted drafts is checked in the shadow
of the verifier, and the plan is refitted every ``refit_every`` observations.

With ``OnlineSettings.learn_score`` each route also keeps a window of its recent drafts'
features (in the store too, so replicas learn from each other's drafts) and ranks
drafts by a score learnt from their labels (``domain/online_score.py``) once that ranks
them better than the built-in score; its plan is then fitted on the window, scored on
the learnt scale.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace

from cascadeflow.application.ports import CalibrationStore, Chance
from cascadeflow.domain.agreement import compare_answers
from cascadeflow.domain.online_evidence import EvidenceBin, Observation, RouteEvidence, Sample
from cascadeflow.domain.online_policy import (
    AcceptancePlan,
    Decision,
    OnlineSettings,
    decide,
    drafts,
    fit_plan,
    split_allowance,
)
from cascadeflow.domain.online_score import LearnedScore, fit_learned_score, histogram
from cascadeflow.domain.scoring import hashed_uniform


log = logging.getLogger(__name__)
MAX_DOMAINS = 32  # per route and process
SPLIT_EVERY = 4  # a chain's allowance is split again after this many refits per route


@dataclass(slots=True)
class _Window:
    """A route's recent drafts as this process has read them from the store."""

    samples: deque[Sample]
    scores: deque[float]  # each sample's score by ``scored_by`` (kept: a refit does not rescore all)
    last: int = 0  # the store's sequence number of the newest sample read
    scored_by: LearnedScore | None = None
    learned: LearnedScore | None = None  # a pooled route's own fit; a domain's route: its pooled route's
    since_fit: int = 0  # samples read since the last attempt to fit
    tried: int = 0  # the window's size at the last attempt to fit (0: none yet)
    tried_labels: int = 0  # and its labels then
    labels: int = 0  # labelled samples (with features) in the window now


class OnlineCalibration:
    def __init__(self, store: CalibrationStore, chance: Chance,
                 settings: OnlineSettings | None = None) -> None:
        self._store = store
        self._chance = chance
        self.settings = settings or OnlineSettings()
        self._plans: dict[str, AcceptancePlan] = {}
        self._since_fit: dict[str, int] = {}
        self._domains: dict[str, set[str]] = {}  # per route, the domains given plans of their own
        self._crowded: set[str] = set()
        self._windows: dict[str, _Window] = {}
        self._scores: dict[str, LearnedScore] = {}  # the learnt score each route's current plan was fitted on
        self._pooled: dict[str, str] = {}  # a domain's route -> its pooled route
        self._refitting: dict[str, threading.Lock] = {}  # one refit of a route at a time
        self._fits: dict[str, int] = {}  # refits published per route
        self._chains: dict[str, tuple[str, ...]] = {}  # a chain's draft route -> the chain's, in order
        self._shared: set[str] = set()  # draft routes of more than one chain: those chains split equally
        self._shares: dict[str, float] = {}  # a chain's draft route -> its share of the allowance
        self._splits_due: dict[tuple[str, ...], int] = {}  # refits of a chain's routes since its last split
        self._epoch = 0  # bumped whenever a share changes: a plan fitted on an older one is not published
        self._stale: set[str] = set()  # routes whose plan was fitted with a share that has changed since
        self._lock = threading.Lock()

    @property
    def store(self) -> CalibrationStore:
        return self._store

    def route(self, model: str, reference: str, stages: int = 2) -> str:
        """The evidence key of ``model`` checked against ``reference`` in a cascade of
        ``stages`` models (a longer chain splits the quality allowance over its drafts);
        drafts sampled twice score on another scale, so their evidence is kept apart."""
        key = f"{model} -> {reference}"
        if stages > 2:
            key = f"{key} [{stages}-model chain]"
        return f"{key} [2 samples]" if self.settings.draft_samples > 1 else key

    def chain_routes(self, models: Sequence[str]) -> tuple[str, ...]:
        """The route of each draft of the chain ``models`` (cheapest first, the strongest
        last), which then share the chain's allowance as their evidence says
        (``split_allowance``). A route met in two chains (two chains of as many models
        with a draft model and the strongest in common), or twice in one (a model name
        given twice), splits equally wherever it is met."""
        stages = len(models)
        routes = tuple(self.route(model, models[-1], stages) for model in models[:-1])
        if stages > 2 and self._chains.get(routes[0]) != routes:
            with self._lock:
                for route in routes:
                    known = self._chains.setdefault(route, routes)
                    if known != routes or len(set(routes)) < len(routes):
                        self._equal_shares(known + routes)
        return routes

    def _equal_shares(self, routes: tuple[str, ...]) -> None:
        """These routes split equally from now on (the lock held): their shares go, and
        every plan fitted with one, theirs and their domains', is refitted."""
        self._shared.update(routes)
        for route in routes:
            self._shares.pop(route, None)
        self._epoch += 1
        self._stale.update(r for r in (*routes, *self._pooled) if self._pooled.get(r, r) in routes)

    def domain_route(self, route: str, domain: str | None) -> str | None:
        """The evidence key of ``route`` for queries of one domain (None: no domain
        known, one plan for all domains, or MAX_DOMAINS domains seen on this route
        already: a domain per user or per request would only spread the evidence thin)."""
        allowed = self.settings.plan_domains
        if not domain or self.settings.domain_min_labels <= 0 or (allowed is not None and domain not in allowed):
            return None
        with self._lock:
            seen = self._domains.setdefault(route, set())
            if domain not in seen:
                if len(seen) >= MAX_DOMAINS:
                    if route not in self._crowded:
                        self._crowded.add(route)
                        log.warning("online calibration: route %r has %d domains already; queries of "
                                    "further domains teach the route's pooled evidence only", route, MAX_DOMAINS)
                    return None
                seen.add(domain)
            specific = f"{route} [domain {domain}]"
            self._pooled[specific] = route
        return specific

    def choose(self, route: str, specific: str | None, stages: int = 2) -> str:
        """The route whose plan decides: the domain's own once its evidence holds
        ``domain_min_labels`` labels, else the route's, learnt from every domain."""
        if specific is None:
            return route
        return specific if self.plan(specific, stages).labelled >= self.settings.domain_min_labels else route

    def settings_for(self, stages: int, route: str | None = None) -> OnlineSettings:
        """The settings a draft route's plan is fitted with: in a chain of more than two
        models, its share of the chain's allowance (an equal share until the chain's
        evidence has been split; a domain's route takes its route's share)."""
        return self._settings_at(stages, route)[0]

    def _settings_at(self, stages: int, route: str | None) -> tuple[OnlineSettings, int | None, float | None]:
        """``settings_for``, the share epoch it was read at (None: no chain, no share),
        and the route's split share (None: not split, an equal share)."""
        if stages <= 2:
            return self.settings, None, None
        with self._lock:
            share, epoch = self._shares.get(self._pooled.get(route, route) if route else ""), self._epoch
        allowance = (1.0 - self.settings.target_quality) * (1.0 / (stages - 1) if share is None else share)
        return replace(self.settings, target_quality=min(1.0, 1.0 - allowance)), epoch, share

    def plan(self, route: str, stages: int = 2) -> AcceptancePlan:
        with self._lock:
            cached = None if route in self._stale else self._plans.get(route)
        return cached if cached is not None else self._refit(route, stages)

    def unfitted(self, routes: list[str]) -> list[str]:
        """The routes whose plan is not in memory yet, or was fitted with a chain share
        that has changed since."""
        with self._lock:
            return [r for r in routes if r not in self._plans or r in self._stale]

    def prepare(self, routes: list[str], stages: int = 2) -> None:
        """Fit (from the store) the plans of these routes: a database read the caller
        runs off its event loop, before deciding."""
        for route in routes:
            self._refit(route, stages)

    def drafts(self, route: str, key: str, stages: int = 2) -> bool:
        """Whether this query is worth a draft at all on this route."""
        return drafts(self.plan(route, stages), self._chance.uniform(f"{key}\x1fdraft\x1f{route}"))

    @property
    def learns(self) -> bool:
        """Whether drafts' features are kept and a score learnt from them."""
        return self.settings.learn_score

    @staticmethod
    def fold_of(key: str) -> bool:
        """Which fold of a learnt score a query's draft belongs to: fixed by the key (not a
        fresh draw), so that its decision and its stored sample agree in every process."""
        return hashed_uniform(f"{key}\x1ffold") < 0.5

    def decide_draft(self, route: str, prior: float, features: Sequence[float], key: str,
                     stages: int = 2, drafted_by: str | None = None) -> tuple[float, Decision]:
        """The draft's score on the scale of the route's current plan (the learnt one once
        adopted, else ``prior``, the built-in score; plan and scale read together) and the
        plan's decision on it. ``drafted_by``: the route whose plan chose to draft this
        query, when not ``route`` (a domain still learning drafts by its own plan and
        accepts by its route's): the route's plan spread its allowance over the share of
        queries it drafts, so a query drafted more often than that is accepted less often,
        in proportion, and the plan's share of queries answered by drafts holds."""
        self.plan(route, stages)  # fitted (from the store) if not in memory yet
        with self._lock:
            plan, learned = self._plans[route], self._scores.get(route)
        scale = 1.0
        if drafted_by is not None and drafted_by != route:
            drafted = self.plan(drafted_by, stages).draft_share
            scale = min(1.0, plan.draft_share / drafted) if drafted > 0 else 1.0
        score = prior if learned is None else learned.score(features, self.fold_of(key))
        return score, decide(plan, score, self._chance.uniform(f"{key}\x1faccept\x1f{route}"),
                             self._chance.uniform(f"{key}\x1fshadow\x1f{route}"), self.settings.shadow_share,
                             scale)

    def bin_of(self, score: float) -> int:
        return self.settings.bin_of(score)

    @staticmethod
    def agree(query: str, draft: str, reference: str) -> bool | None:
        """Whether the draft says what the verifier said; None when undecided."""
        return compare_answers(query, draft, reference).agree

    def learn(self, route: str, observation: Observation, stages: int = 2) -> None:
        self._store.record(route, self.settings.bins, [observation])
        with self._lock:
            due = self._since_fit.get(route, 0) + 1
            self._since_fit[route] = due
        if due >= self.settings.refit_every or route not in self._plans:
            self._refit(route, stages)

    def _refit(self, route: str, stages: int) -> AcceptancePlan:
        if not self.learns:
            if (chain := self._split_due(route)) is not None and (split := self._split(route, chain)) is not None:
                return split
            evidence = self._store.evidence(route, self.settings.bins)
            while True:  # a share changed while fitting (a split, a second chain): fit again
                settings, epoch, share = self._settings_at(stages, route)
                plan = _noted(fit_plan(evidence.bins, settings, evidence.costs()), share)
                if self._publish(route, plan, None, epoch) is not None:
                    return plan
        with self._lock:
            refitting = self._refitting.setdefault(route, threading.Lock())
            published = self._fits.get(route, 0)
        with refitting:  # the plan and the score it was fitted on are published together
            with self._lock:
                if self._fits.get(route, 0) != published and route in self._plans:
                    return self._plans[route]  # refitted while this one waited
            evidence = self._store.evidence(route, self.settings.bins)
            bins, learned = self._learnt_bins(route, evidence)
            plan = fit_plan(bins, self.settings_for(stages, route), evidence.costs())
            if learned is not None:
                plan = replace(plan, notes=(*plan.notes, learned.note()))
            self._publish(route, plan, learned if learned is not None and learned.adopted else None)
            return plan

    def _split_due(self, route: str) -> tuple[str, ...] | None:
        """The chain whose allowance to split again now that ``route`` (one of its draft
        routes, not a domain's) refits: at its first refit, then once every SPLIT_EVERY
        refits of each of its routes, on average (not at each refit: a split fits each
        route's plan at every share, and shares move slowly)."""
        with self._lock:
            chain = self._chains.get(route)
            if chain is None or route in self._shared:
                return None
            due = self._splits_due.get(chain)
            if due is not None and due + 1 < SPLIT_EVERY * len(chain):
                self._splits_due[chain] = due + 1
                return None
            self._splits_due[chain] = 0
        return chain

    def _split(self, route: str, chain: tuple[str, ...]) -> AcceptancePlan | None:
        """Share the chain's allowance between its drafts by their evidence, and publish
        every draft route's plan fitted with its share; its domains' plans are refitted
        when next used. None when the chain's shares changed meanwhile (another split, or
        a second chain made them equal): nothing is published."""
        with self._lock:
            epoch = self._epoch
        evidence = [self._store.evidence(r, self.settings.bins) for r in chain]
        shares, plans = split_allowance([(e.bins, e.costs()) for e in evidence], self.settings)
        noted = [_noted(plan, share) for plan, share in zip(plans, shares)]
        with self._lock:
            if self._epoch != epoch or any(r in self._shared for r in chain):
                return None
            self._epoch += 1
            self._shares.update(zip(chain, shares))
            for other, plan in zip(chain, noted):
                self._set_plan(other, plan, None)
            self._stale.update(r for r, pooled in self._pooled.items() if pooled in chain)
        for other, plan in zip(chain, noted):
            self._store.save_plan(other, plan)
        return noted[chain.index(route)]

    def _publish(self, route: str, plan: AcceptancePlan, score: LearnedScore | None,
                 epoch: int | None = None) -> AcceptancePlan | None:
        """Make ``plan`` the route's; not when ``epoch`` is given and the chain shares
        have changed since (None)."""
        with self._lock:
            if epoch is not None and epoch != self._epoch:
                return None
            self._set_plan(route, plan, score)
        self._store.save_plan(route, plan)
        return plan

    def _set_plan(self, route: str, plan: AcceptancePlan, score: LearnedScore | None) -> None:
        """(the lock held)"""
        self._plans[route] = plan
        self._stale.discard(route)
        if score is None:
            self._scores.pop(route, None)
        else:
            self._scores[route] = score
        self._since_fit[route] = 0
        self._fits[route] = self._fits.get(route, 0) + 1

    def _learnt_bins(self, route: str, evidence: RouteEvidence
                     ) -> tuple[Sequence[EvidenceBin], LearnedScore | None]:
        """The plan's evidence: the route's window on the learnt scale once a learnt score
        is adopted, else the counts on the built-in scale. A domain's route ranks by its
        pooled route's score (learnt from every domain's drafts) and calibrates on its own;
        either way each draft is scored by the model of the other fold."""
        window = self._read(route)
        pooled = self._pooled.get(route)
        if pooled is None:
            self._fit_if_due(window)
        else:
            with self._lock:
                source = self._windows.get(pooled)
            window.learned = None if source is None else source.learned
        with self._lock:
            self._windows[route] = window
        learned = window.learned
        if learned is None or not learned.adopted:
            return evidence.bins, learned
        if window.scored_by is not learned:
            window.scores = deque((learned.score(s.features, s.fold) for s in window.samples),
                                  maxlen=self.settings.score_window)
            window.scored_by = learned
        return histogram(window.samples, window.scores, self.settings.bins), learned

    def _read(self, route: str) -> _Window:
        """The route's window with the samples recorded since it was last read."""
        size = self.settings.score_window
        with self._lock:
            window = self._windows.get(route) or _Window(deque(maxlen=size), deque(maxlen=size))
        fresh = self._store.samples(route, window.last, size)
        scorer = window.scored_by
        for sequence, sample in fresh:
            if len(window.samples) == window.samples.maxlen:  # the oldest is about to go
                gone = window.samples[0]
                window.labels -= gone.labelled and gone.usable
            window.labels += sample.labelled and sample.usable
            window.samples.append(sample)
            window.scores.append(0.0 if scorer is None else scorer.score(sample.features, sample.fold))
            window.last = sequence
        window.since_fit += len(fresh)
        return window

    def _fit_if_due(self, window: _Window) -> None:
        """Try to fit the score once the window holds ``learn_min_labels`` labels; until a
        try finds a model (each fold needs both kinds of label), again whenever the labels
        have grown by a quarter; and whenever a quarter of the window (50 drafts at least)
        is new since the last try (a full window's labels stop growing)."""
        renewed = window.tried > 0 and window.since_fit >= max(50, window.tried // 4)
        if window.learned is not None and not renewed:
            return
        labels = window.labels
        grown = labels >= window.tried_labels * 5 // 4
        if labels < self.settings.learn_min_labels or not (renewed or grown):
            return
        window.since_fit, window.tried, window.tried_labels = 0, len(window.samples), labels
        fitted = fit_learned_score(list(window.samples))
        if fitted is not None:
            window.learned = fitted


def _noted(plan: AcceptancePlan, share: float | None) -> AcceptancePlan:
    """The plan, noting the share of its chain's allowance it was fitted with (once split)."""
    if share is None:
        return plan
    return replace(plan, notes=(*plan.notes, f"{share:.0%} of the chain's quality allowance"))

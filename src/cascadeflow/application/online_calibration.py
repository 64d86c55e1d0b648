"""Online calibration: the live acceptance policy that learns without labels.

A route is one draft model checked against the cascade's strongest model. For each
route the policy keeps evidence (in a CalibrationStore, shared by replicas) and a plan
fitted from it: which share of queries to draft, and which drafts to accept by score.
Every query teaches it something: an escalated draft is labelled for free by the
verifier's answer (agree or not), a share of accepted drafts is checked in the shadow
of the verifier, and the plan is refitted every ``refit_every`` observations.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace

from cascadeflow.application.ports import CalibrationStore, Chance
from cascadeflow.domain.agreement import compare_answers
from cascadeflow.domain.online_evidence import Observation
from cascadeflow.domain.online_policy import (
    AcceptancePlan,
    Decision,
    OnlineSettings,
    decide,
    drafts,
    fit_plan,
)


log = logging.getLogger(__name__)
MAX_DOMAINS = 32  # per route and process


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
        return f"{route} [domain {domain}]"

    def choose(self, route: str, specific: str | None, stages: int = 2) -> str:
        """The route whose plan decides: the domain's own once its evidence holds
        ``domain_min_labels`` labels, else the route's, learnt from every domain."""
        if specific is None:
            return route
        return specific if self.plan(specific, stages).labelled >= self.settings.domain_min_labels else route

    def settings_for(self, stages: int) -> OnlineSettings:
        if stages <= 2:
            return self.settings
        allowance = (1.0 - self.settings.target_quality) / (stages - 1)
        return replace(self.settings, target_quality=1.0 - allowance)

    def plan(self, route: str, stages: int = 2) -> AcceptancePlan:
        with self._lock:
            cached = self._plans.get(route)
        return cached if cached is not None else self._refit(route, stages)

    def unfitted(self, routes: list[str]) -> list[str]:
        """The routes whose plan is not in memory yet."""
        with self._lock:
            return [r for r in routes if r not in self._plans]

    def prepare(self, routes: list[str], stages: int = 2) -> None:
        """Fit (from the store) the plans of these routes: a database read the caller
        runs off its event loop, before deciding."""
        for route in routes:
            self._refit(route, stages)

    def drafts(self, route: str, key: str, stages: int = 2) -> bool:
        """Whether this query is worth a draft at all on this route."""
        return drafts(self.plan(route, stages), self._chance.uniform(f"{key}\x1fdraft\x1f{route}"))

    def decide(self, route: str, score: float, key: str, stages: int = 2) -> Decision:
        plan = self.plan(route, stages)
        return decide(plan, score, self._chance.uniform(f"{key}\x1faccept\x1f{route}"),
                      self._chance.uniform(f"{key}\x1fshadow\x1f{route}"), self.settings.shadow_share)

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
        evidence = self._store.evidence(route, self.settings.bins)
        plan = fit_plan(evidence.bins, self.settings_for(stages), evidence.costs())
        self._store.save_plan(route, plan)
        with self._lock:
            self._plans[route] = plan
            self._since_fit[route] = 0
        return plan

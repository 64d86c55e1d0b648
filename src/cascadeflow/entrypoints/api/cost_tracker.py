"""CostTracker: the seed's tracker API, backed by a durable UsageStore."""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from cascadeflow.application.budget_gate import BudgetPolicy
from cascadeflow.application.ports import Clock, IdGenerator, UsageStore
from cascadeflow.bootstrap import export_entries, overridden, system_clock, usage_store, uuid_ids
from cascadeflow.domain.budgets import BudgetConfig, CostEntry, Window, window_start
from cascadeflow.domain.errors import ConfigurationError

log = logging.getLogger("cascadeflow.cost")


class CostTracker:
    """Records every priced call and knows every user's spend per window.

    ``store`` is a UsageStore, a database URL, ``"memory"``, or None for the embedded
    default: ``CASCADEFLOW_DATABASE_URL`` or SQLite at ``./cascadeflow.db``.
    ``budget_limit`` caps the all-time spend of all users together. A user without a
    budget in ``user_budgets`` gets the one of the tier a run names (``tier_budgets``,
    ``agent.run(..., user_tier="free")``), else ``default_budget``.
    """

    def __init__(
        self,
        budget_limit: float | None = None,
        user_budgets: dict[str, BudgetConfig] | None = None,
        warn_threshold: float | None = None,
        verbose: bool = False,
        *,
        store: UsageStore | str | None = None,
        default_budget: BudgetConfig | None = None,
        clock: Clock | None = None,
        ids: IdGenerator | None = None,
        tier_budgets: dict[str, BudgetConfig] | None = None,
    ) -> None:
        if budget_limit is not None:
            BudgetConfig(total=budget_limit)  # same checks and message as every budget
        if warn_threshold is not None and not (
                isinstance(warn_threshold, (int, float)) and 0 < warn_threshold <= 1):
            raise ConfigurationError(f"warn_threshold must be in (0, 1], got {warn_threshold!r}")
        for label, budgets in (("user_budgets", user_budgets), ("tier_budgets", tier_budgets)):
            for key, budget in (budgets or {}).items():
                if not isinstance(budget, BudgetConfig):
                    raise ConfigurationError(f"{label}[{key!r}] must be a BudgetConfig, got {budget!r}")
        self.budget_limit = budget_limit
        self.user_budgets: dict[str, BudgetConfig] = dict(user_budgets or {})
        self.default_budget = default_budget
        self.tier_budgets: dict[str, BudgetConfig] = dict(tier_budgets or {})
        # None: the enforcement's own level (90% used, the plan's default)
        self.warn_threshold = None if warn_threshold is None else float(warn_threshold)
        self.verbose = verbose
        if store is None:  # a test's cascadeflow.testing.override(store=...) stands in
            store = overridden("store")
        self._store_spec = store
        self._store: UsageStore | None = store if not isinstance(store, (str, type(None))) else None
        self.clock: Clock = clock or system_clock()
        self.ids: IdGenerator = ids or uuid_ids()

    @property
    def store(self) -> UsageStore:
        if self._store is None:
            spec = self._store_spec if isinstance(self._store_spec, str) else None
            self._store = usage_store(spec)
            # spend persists across runs by design; say where, so nobody is surprised
            log.info("cost tracking in %s", getattr(self._store, "url", spec or "memory"))
        return self._store

    @property
    def policy(self) -> BudgetPolicy:
        return BudgetPolicy(
            user_budgets=self.user_budgets,
            default_budget=self.default_budget,
            global_budget=BudgetConfig(total=self.budget_limit) if self.budget_limit is not None else None,
            warn_threshold=self.warn_threshold,
            tier_budgets=self.tier_budgets,
        )

    def add_cost(
        self,
        model: str,
        provider: str,
        tokens: int,
        cost: float,
        query_id: str | None = None,
        user_id: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> CostEntry:
        """Record a call made outside a cascade; returns the stored entry."""
        if isinstance(tokens, bool) or not isinstance(tokens, int) or tokens < 0:
            raise ConfigurationError(f"add_cost: tokens must be an integer >= 0, got {tokens!r}")
        if isinstance(cost, bool) or not isinstance(cost, (int, float)) or not math.isfinite(cost) or cost < 0:
            raise ConfigurationError(f"add_cost: cost must be a finite amount >= 0 USD, got {cost!r}")
        entry = CostEntry(
            id=self.ids.new_id(), model=model, provider=provider, cost=float(cost),
            timestamp=self.clock.now(), output_tokens=tokens, user_id=user_id,
            query_id=query_id, metadata=metadata or {},
        )
        self.store.record(entry)
        if self.verbose:
            log.info("cost %s %s $%.6f user=%s", provider, model, cost, user_id)
        return entry

    def entries(self, user_id: str | None = None, since: datetime | None = None) -> list[CostEntry]:
        return self.store.entries(user_id, since)

    @property
    def total_cost(self) -> float:
        return self.store.spent(None, None)

    def _totals(self, key: str) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for entry in self.store.entries():
            name = getattr(entry, key)
            if name is not None:
                totals[name] += entry.cost
        return dict(totals)

    @property
    def by_model(self) -> dict[str, float]:
        return self._totals("model")

    @property
    def by_provider(self) -> dict[str, float]:
        return self._totals("provider")

    @property
    def by_user(self) -> dict[str, float]:
        return self._totals("user_id")

    @property
    def user_entries(self) -> dict[str, list[CostEntry]]:
        """Every stored entry, by user."""
        grouped: dict[str, list[CostEntry]] = defaultdict(list)
        for entry in self.store.entries():
            if entry.user_id is not None:
                grouped[entry.user_id].append(entry)
        return dict(grouped)

    def get_user_summary(self, user_id: str) -> dict[str, Any]:
        """Spend, entries, budget, and spend and remaining per window for one user. A
        user never seen has the plan's empty summary (nothing spent, no budget); the
        log says which users are known, for a name mistyped."""
        entries = self.store.entries(user_id)
        budget = self.user_budgets.get(user_id, self.default_budget)
        if not entries and user_id not in self.user_budgets:
            log.info("user %r has no recorded spend yet; users with a budget: %s", user_id,
                     ", ".join(sorted(self.user_budgets)) or "none")
        now = self.clock.now()
        spend = {w.value: self.store.spent(user_id, window_start(w, now)) for w in Window}
        limits = budget.limits if budget is not None else {}
        return {
            "user_id": user_id,
            "total_cost": spend["total"],
            "entries": len(entries),
            "budget": budget,
            "spend": spend,
            "reserved": self.store.reserved(user_id, now),
            "remaining": {w.value: max(limit - spend[w.value], 0.0) for w, limit in limits.items()},
        }

    def export(
        self, path: str | Path, format: str = "json", user_id: str | None = None,
        since: datetime | None = None,
    ) -> int:
        """Write entries to a JSON, CSV or standalone SQLite file; returns the row count."""
        return export_entries(self.store.entries(user_id, since), Path(path), format)

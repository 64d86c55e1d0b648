"""A BudgetStore in process memory: for tests and single-process gateways."""

from __future__ import annotations

import threading

from cascadeflow.application.ports import BudgetStore
from cascadeflow.domain.budgets import BudgetConfig


class InMemoryBudgetStore(BudgetStore):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._budgets: dict[str, BudgetConfig] = {}

    def get(self, user_id: str) -> BudgetConfig | None:
        with self._lock:
            return self._budgets.get(user_id)

    def put(self, user_id: str, budget: BudgetConfig) -> None:
        with self._lock:
            self._budgets[user_id] = budget

    def all(self) -> dict[str, BudgetConfig]:
        with self._lock:
            return dict(self._budgets)

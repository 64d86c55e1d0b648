"""User budgets read through on every lookup, so that a budget set at run time in one
process applies at once in every process sharing the BudgetStore."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from cascadeflow.application.ports import BudgetStore
from cascadeflow.domain.budgets import BudgetConfig


class LiveBudgets(Mapping[str, BudgetConfig]):
    """A BudgetPolicy's ``user_budgets``: the stored budget wins over the configured one."""

    def __init__(self, store: BudgetStore, configured: Mapping[str, BudgetConfig]) -> None:
        self.store = store
        self._configured = dict(configured)

    def __getitem__(self, user_id: str) -> BudgetConfig:
        stored = self.store.get(user_id)
        return stored if stored is not None else self._configured[user_id]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(set(self.store.all()) | set(self._configured)))

    def __len__(self) -> int:
        return len(set(self.store.all()) | set(self._configured))

    async def get_async(self, user_id: str) -> BudgetConfig | None:
        """``get``, the stored budget read on the event loop (BudgetStore.get_async:
        WouldBlock where it cannot be)."""
        stored = await self.store.get_async(user_id)
        return stored if stored is not None else self._configured.get(user_id)

    def configured(self, user_id: str) -> BudgetConfig | None:
        """The budget the configuration gives the user, whatever is stored."""
        return self._configured.get(user_id)

    def lookup(self, user_id: str) -> tuple[BudgetConfig | None, str]:
        """The user's budget and where it comes from: "api", "config" or "none"."""
        stored = self.store.get(user_id)
        if stored is not None:
            return stored, "api"
        configured = self._configured.get(user_id)
        return configured, "config" if configured is not None else "none"

"""Budgets, the windows they apply to, and the cost entries they are measured against.

Windows are computed from timestamps when asked (UTC day, ISO week, calendar month,
all-time): there is no reset job that could race or be missed.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from types import MappingProxyType
from typing import Any

from cascadeflow.domain.amounts import check_usd
from cascadeflow.domain.errors import ConfigurationError


class Window(str, Enum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    TOTAL = "total"


# every window with its name, looked up once: an Enum member's ``.value`` and iterating
# the Enum are slow enough to show on the budget hot path
WINDOW_NAMES: tuple[tuple[Window, str], ...] = tuple((w, w.value) for w in Window)


def window_start(window: Window, now: datetime) -> datetime | None:
    """The first instant of the window holding ``now`` (UTC); None for all-time."""
    now = now.astimezone(UTC)
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if window is Window.DAILY:
        return day
    if window is Window.WEEKLY:
        return day - timedelta(days=now.isoweekday() - 1)
    if window is Window.MONTHLY:
        return day.replace(day=1)
    return None


def window_end(window: Window, now: datetime) -> datetime | None:
    """When the window holding ``now`` ends and a new one starts; None for all-time."""
    start = window_start(window, now)
    if start is None:
        return None
    if window is Window.DAILY:
        return start + timedelta(days=1)
    if window is Window.WEEKLY:
        return start + timedelta(days=7)
    return (start + timedelta(days=32)).replace(day=1)


# Running totals of spend are kept per scope, window and period, so that a budget check
# reads a few sums whatever the history: the scope is "u:" + a user id, or EVERYONE.
EVERYONE = "*"
TOTAL_PERIOD = datetime(1970, 1, 1, tzinfo=UTC)  # the all-time window's one period


def scope_of(user_id: str | None) -> str:
    """The totals scope of a user; None means all users."""
    return EVERYONE if user_id is None else f"u:{user_id}"


def period_of(window: Window, at: datetime) -> datetime:
    return window_start(window, at) or TOTAL_PERIOD


def periods_of(at: datetime) -> tuple[tuple[str, datetime], ...]:
    """(window name, period) of every window holding ``at``, in sorted order of the
    names: computed once per UTC day (every budgeted call asks)."""
    return _periods_of_day(at.astimezone(UTC).date())


@functools.lru_cache(maxsize=8)
def _periods_of_day(day: date) -> tuple[tuple[str, datetime], ...]:
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    return tuple(sorted((w.value, period_of(w, noon)) for w in Window))


TotalKey = tuple[str, str, datetime]  # (scope, window, period)


def total_keys(user_id: str | None, at: datetime) -> list[TotalKey]:
    """The totals an entry of ``user_id`` at ``at`` adds to, as (scope, window, period):
    every window, for the user (when it has one) and for everyone, in sorted order."""
    periods = periods_of(at)
    if user_id is None:
        return [(EVERYONE, window, period) for window, period in periods]
    mine = scope_of(user_id)
    first, second = sorted((EVERYONE, mine))
    return [(first, window, period) for window, period in periods] + [
        (second, window, period) for window, period in periods]


def totals_of(spends: Iterable[tuple[str | None, float, datetime]]) -> dict[TotalKey, tuple[float, int]]:
    """The running totals that spends of (user id, cost, instant) add up to: spent and
    calls per totals key (``total_keys``)."""
    sums: dict[TotalKey, list[float]] = {}
    for user_id, cost, at in spends:
        for key in total_keys(user_id, at):
            total = sums.setdefault(key, [0.0, 0])
            total[0] += cost
            total[1] += 1
    return {key: (spent, int(calls)) for key, (spent, calls) in sums.items()}


def aligned_window(since: datetime) -> Window | None:
    """A window whose periods start at ``since`` (the coarsest), so that spend since
    then is the sum of that window's totals from ``since`` on; None if none does."""
    for window in (Window.MONTHLY, Window.WEEKLY, Window.DAILY):
        if window_start(window, since) == since:
            return window
    return None


def _check_amount(owner: str, label: str, value: object) -> None:
    check_usd(owner, label, value, "None means unlimited")


@dataclass(frozen=True, slots=True)
class BudgetConfig:
    """Spending limits in USD per window; None means unlimited."""

    daily: float | None = None
    weekly: float | None = None
    monthly: float | None = None
    total: float | None = None

    def __post_init__(self) -> None:
        for _, name in WINDOW_NAMES:
            _check_amount("BudgetConfig", name, getattr(self, name))

    @property
    def limits(self) -> Mapping[Window, float]:
        return {w: float(limit) for w, name in WINDOW_NAMES if (limit := getattr(self, name)) is not None}


@dataclass(frozen=True, slots=True)
class CostEntry:
    """One priced model call, as stored."""

    id: str
    model: str
    provider: str
    cost: float
    timestamp: datetime
    input_tokens: int = 0
    output_tokens: int = 0
    user_id: str | None = None
    query_id: str | None = None
    domain: str | None = None
    tier: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        owner = f"cost entry for {self.model!r}"
        _check_amount(owner, "cost", self.cost)
        for label in ("input_tokens", "output_tokens"):
            value = getattr(self, label)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigurationError(f"{owner}: {label} must be an integer >= 0, got {value!r}")
        if self.timestamp.tzinfo is None:
            raise ConfigurationError(f"{owner}: timestamp must be timezone-aware (UTC)")
        object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True, slots=True)
class ScopeUsage:
    """Where one scope (a user, or all users) stands at an instant: committed spend in
    each window holding that instant, the amount live reservations hold, and how many
    entries it has stored in all."""

    spent: Mapping[Window, float]
    held: float
    calls: int


@dataclass(frozen=True, slots=True)
class Reservation:
    """Money set aside for a call before it runs; committed or released after."""

    id: str
    user_id: str
    amount: float
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class ReservationRequest:
    """Set aside ``amount`` for ``user_id`` if, in every window with a limit, committed
    spend plus live reservations plus ``amount`` stays within it. ``global_limits`` are
    checked the same way over all users."""

    id: str
    user_id: str
    amount: float
    limits: Mapping[Window, float]
    now: datetime
    ttl: timedelta
    global_limits: Mapping[Window, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_amount(f"reservation for {self.user_id!r}", "amount", self.amount)
        if self.ttl <= timedelta(0):
            raise ConfigurationError(f"reservation TTL must be positive, got {self.ttl}")
        if self.now.tzinfo is None:
            raise ConfigurationError("reservation time must be timezone-aware (UTC)")

    def grant(self) -> Reservation:
        """The reservation this request becomes once a store finds that it fits."""
        return Reservation(
            id=self.id,
            user_id=self.user_id,
            amount=self.amount,
            created_at=self.now,
            expires_at=self.now + self.ttl,
        )


@dataclass(frozen=True, slots=True)
class CostBreakdown:
    """What one call cost, split into prompt and completion."""

    model: str
    provider: str
    input_tokens: int
    output_tokens: int
    input_cost: float
    output_cost: float

    @property
    def total_cost(self) -> float:
        return self.input_cost + self.output_cost

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens

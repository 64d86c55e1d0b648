"""Whether a reservation fits: the one rule every UsageStore applies."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from cascadeflow.domain.budgets import Window, window_start

# (since) -> committed spend plus live reservations in the window starting at ``since``
SpendFn = Callable[[datetime | None], float]

# Float sums of many small costs drift by ~1e-16 per term; a cent-fraction slack keeps a
# budget that fits exactly N calls from refusing the N-th.
EPSILON = 1e-9


def fits(amount: float, limits: Mapping[Window, float], now: datetime, used: SpendFn) -> bool:
    return all(
        used(window_start(window, now)) + amount <= limit + EPSILON
        for window, limit in limits.items()
    )


def fits_standing(amount: float, limits: Mapping[Window, float], spent: Mapping[Window, float],
                  held: float) -> bool:
    """``fits`` for spend already read per window (a window's spend, not since a time)."""
    return all(spent[window] + held + amount <= limit + EPSILON for window, limit in limits.items())

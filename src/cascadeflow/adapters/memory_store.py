"""A UsageStore in process memory: for tests, scripts and single-process use.

Like the SQL store it keeps running totals per scope, window and period beside the
entries, so a budget check costs the same however many entries are stored.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from cascadeflow.application.ports import UsageStore
from cascadeflow.domain.budgets import (
    WINDOW_NAMES,
    CostEntry,
    Reservation,
    ReservationRequest,
    ScopeUsage,
    Window,
    aligned_window,
    periods_of,
    scope_of,
    total_keys,
)
from cascadeflow.domain.budgets_math import fits_standing


class InMemoryUsageStore(UsageStore):
    blocking = False  # calls never wait on I/O: no need to run them off the event loop

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, CostEntry] = {}
        self._reservations: dict[str, Reservation] = {}
        self._settled: set[str] = set()
        # (scope, window) -> period -> [spent, calls]
        self._totals: defaultdict[tuple[str, str], dict[datetime, list[float]]] = defaultdict(dict)
        self._latest: dict[tuple[str, str], datetime] = {}  # the last period of each

    def reserve(self, request: ReservationRequest) -> Reservation | None:
        return self.reserve_and_read(request)[0]

    def reserve_and_read(
        self, request: ReservationRequest
    ) -> tuple[Reservation | None, ScopeUsage, ScopeUsage]:
        with self._lock:
            mine, everyone = (self._usage(u, request.now) for u in (request.user_id, None))
            if not (fits_standing(request.amount, request.limits, mine.spent, mine.held)
                    and fits_standing(request.amount, request.global_limits,
                                      everyone.spent, everyone.held)):
                return None, mine, everyone
            reservation = request.grant()
            self._reservations[reservation.id] = reservation
            return reservation, mine, everyone

    def commit(self, reservation_id: str, entry: CostEntry) -> bool:
        with self._lock:
            self._reservations.pop(reservation_id, None)
            if reservation_id in self._settled or entry.id in self._entries:
                return False
            self._settled.add(reservation_id)
            self._store(entry)
            return True

    def release(self, reservation_id: str) -> None:
        with self._lock:
            self._reservations.pop(reservation_id, None)

    def renew(self, reservation_ids: Sequence[str], expires_at: datetime) -> None:
        with self._lock:
            for rid in reservation_ids:
                held = self._reservations.get(rid)
                if held is not None and held.expires_at < expires_at:
                    self._reservations[rid] = replace(held, expires_at=expires_at)

    def record(self, entry: CostEntry) -> bool:
        with self._lock:
            if entry.id in self._entries:
                return False
            self._store(entry)
            return True

    def spent(self, user_id: str | None, since: datetime | None) -> float:
        with self._lock:
            if since is None:
                return self._sum(user_id, Window.TOTAL, None)[0]
            if (window := aligned_window(since)) is not None:
                return self._sum(user_id, window, since)[0]
            return sum(e.cost for e in self._entries.values()
                       if (user_id is None or e.user_id == user_id) and e.timestamp >= since)

    def reserved(self, user_id: str | None, now: datetime) -> float:
        with self._lock:
            return self._reserved(user_id, now)

    def count(self, user_id: str | None) -> int:
        with self._lock:
            return int(self._sum(user_id, Window.TOTAL, None)[1])

    def usage(self, user_ids: Sequence[str | None], now: datetime) -> list[ScopeUsage]:
        with self._lock:
            return [self._usage(user, now) for user in user_ids]

    def entries(self, user_id: str | None = None, since: datetime | None = None) -> list[CostEntry]:
        with self._lock:
            chosen = [
                e
                for e in self._entries.values()
                if (user_id is None or e.user_id == user_id) and (since is None or e.timestamp >= since)
            ]
        return sorted(chosen, key=lambda e: e.timestamp)

    def _store(self, entry: CostEntry) -> None:
        self._entries[entry.id] = entry
        for scope, window, period in total_keys(entry.user_id, entry.timestamp):
            total = self._totals[scope, window].setdefault(period, [0.0, 0])
            total[0] += entry.cost
            total[1] += 1
            latest = self._latest.get((scope, window))
            if latest is None or period > latest:
                self._latest[scope, window] = period

    def _sum(self, user_id: str | None, window: Window | str, since: datetime | None) -> tuple[float, float]:
        """Spend and calls of ``window``'s periods (the window or its name) from ``since``
        on (a few periods at most: the current one, and any later ones entries were
        dated in)."""
        key = (scope_of(user_id), window.value if isinstance(window, Window) else window)
        periods = self._totals.get(key, {})
        if since is not None and key in self._latest and since >= self._latest[key]:
            found = [periods[since]] if since in periods else []  # the usual case: O(1)
        else:
            found = [t for period, t in periods.items() if since is None or period >= since]
        return sum(t[0] for t in found), sum(t[1] for t in found)

    def _usage(self, user_id: str | None, now: datetime) -> ScopeUsage:
        total, calls = self._sum(user_id, Window.TOTAL, None)
        periods = dict(periods_of(now))
        spent = {w: total if w is Window.TOTAL else self._sum(user_id, name, periods[name])[0]
                 for w, name in WINDOW_NAMES}
        return ScopeUsage(spent, self._reserved(user_id, now), int(calls))

    def _reserved(self, user_id: str | None, now: datetime) -> float:
        return sum(
            r.amount
            for r in self._reservations.values()
            if (user_id is None or r.user_id == user_id) and r.expires_at > now
        )

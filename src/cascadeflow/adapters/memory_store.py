"""A UsageStore in process memory: for tests, scripts and single-process use."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from cascadeflow.application.ports import UsageStore
from cascadeflow.domain.budgets import (
    CostEntry,
    Reservation,
    ReservationRequest,
    ScopeUsage,
    Window,
    window_start,
)
from cascadeflow.domain.budgets_math import SpendFn, fits


class InMemoryUsageStore(UsageStore):
    blocking = False  # calls never wait on I/O: no need to run them off the event loop

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, CostEntry] = {}
        self._reservations: dict[str, Reservation] = {}
        self._settled: set[str] = set()

    def reserve(self, request: ReservationRequest) -> Reservation | None:
        with self._lock:
            def used_by(user: str | None) -> SpendFn:
                return lambda since: self._spent(user, since) + self._reserved(user, request.now)

            if not fits(request.amount, request.limits, request.now, used_by(request.user_id)):
                return None
            if not fits(request.amount, request.global_limits, request.now, used_by(None)):
                return None
            reservation = request.grant()
            self._reservations[reservation.id] = reservation
            return reservation

    def commit(self, reservation_id: str, entry: CostEntry) -> bool:
        with self._lock:
            self._reservations.pop(reservation_id, None)
            if reservation_id in self._settled or entry.id in self._entries:
                return False
            self._settled.add(reservation_id)
            self._entries[entry.id] = entry
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
            self._entries[entry.id] = entry
            return True

    def spent(self, user_id: str | None, since: datetime | None) -> float:
        with self._lock:
            return self._spent(user_id, since)

    def reserved(self, user_id: str | None, now: datetime) -> float:
        with self._lock:
            return self._reserved(user_id, now)

    def count(self, user_id: str | None) -> int:
        with self._lock:
            return sum(1 for e in self._entries.values() if user_id is None or e.user_id == user_id)

    def usage(self, user_ids: Sequence[str | None], now: datetime) -> list[ScopeUsage]:
        with self._lock:
            return [
                ScopeUsage(
                    {w: self._spent(user, window_start(w, now)) for w in Window},
                    self._reserved(user, now),
                    sum(1 for e in self._entries.values() if user is None or e.user_id == user),
                )
                for user in user_ids
            ]

    def entries(self, user_id: str | None = None, since: datetime | None = None) -> list[CostEntry]:
        with self._lock:
            chosen = [
                e
                for e in self._entries.values()
                if (user_id is None or e.user_id == user_id) and (since is None or e.timestamp >= since)
            ]
        return sorted(chosen, key=lambda e: e.timestamp)

    def _spent(self, user_id: str | None, since: datetime | None) -> float:
        return sum(
            e.cost
            for e in self._entries.values()
            if (user_id is None or e.user_id == user_id) and (since is None or e.timestamp >= since)
        )

    def _reserved(self, user_id: str | None, now: datetime) -> float:
        return sum(
            r.amount
            for r in self._reservations.values()
            if (user_id is None or r.user_id == user_id) and r.expires_at > now
        )

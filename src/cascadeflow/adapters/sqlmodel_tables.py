"""The tables behind SQLModelUsageStore and the explicit mapping between their rows and
the domain dataclasses, for sqlmodel_store.py (and UTCDateTime for sqlmodel_budgets.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Dialect, Index, Table, TypeDecorator
from sqlmodel import Field, SQLModel

from cascadeflow.domain.budgets import CostEntry
from cascadeflow.domain.errors import ConfigurationError


class UTCDateTime(TypeDecorator[datetime]):
    """Stores instants in UTC and always returns them timezone-aware.

    PostgreSQL keeps the offset (timestamptz); SQLite stores naive text, so the UTC
    offset is dropped on the way in and restored on the way out. Every stored value is
    UTC, which keeps SQLite's text comparisons chronological.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # astimezone would take it as the server's local time
            raise ConfigurationError(f"{value} has no timezone: pass aware UTC datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _instant() -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=False))


class CostEntryRow(SQLModel, table=True):
    __tablename__ = "cascadeflow_cost_entries"
    __table_args__ = (
        Index("ix_cascadeflow_cost_entries_user_time", "user_id", "timestamp"),
        Index("ix_cascadeflow_cost_entries_time", "timestamp"),
    )

    id: str = Field(primary_key=True)
    user_id: str | None = None
    model: str
    provider: str
    input_tokens: int
    output_tokens: int
    cost: float
    timestamp: datetime = _instant()
    query_id: str | None = None
    domain: str | None = None
    tier: str | None = None
    metadata_: dict[str, Any] = Field(
        sa_column=Column("metadata", JSON, key="metadata_", nullable=False)
    )


class ReservationRow(SQLModel, table=True):
    __tablename__ = "cascadeflow_reservations"
    __table_args__ = (
        Index("ix_cascadeflow_reservations_user_expiry", "user_id", "expires_at"),
        Index("ix_cascadeflow_reservations_expiry", "expires_at"),
    )

    id: str = Field(primary_key=True)
    user_id: str
    amount: float
    created_at: datetime = _instant()
    expires_at: datetime = _instant()


class SettlementRow(SQLModel, table=True):
    """A committed reservation: the reservation row is gone, this one stays so that a
    second commit of the same reservation stores nothing."""

    __tablename__ = "cascadeflow_settlements"

    reservation_id: str = Field(primary_key=True)
    entry_id: str


class SpendTotalRow(SQLModel, table=True):
    """Running totals: what one scope spent, and in how many calls, in one period of one
    window. Updated in the transaction that stores each entry, so a budget check reads a
    few of these rows whatever the history; ``cascadeflow usage --verify`` checks them
    against the entries.

    ``scope`` is ``"u:" + user id`` for a user and ``"*"`` for all users; ``period`` is
    the window's first instant (UTC), ``TOTAL_PERIOD`` for the all-time window.
    """

    __tablename__ = "cascadeflow_spend_totals"

    scope: str = Field(primary_key=True)
    window: str = Field(primary_key=True)
    period: datetime = Field(sa_column=Column(UTCDateTime(), primary_key=True))
    spent: float
    calls: int


def schema(postgres: bool) -> list[Table]:
    """The tables to create, the same on both databases. (Earlier 0.2 development builds
    created cascadeflow_budget_locks on PostgreSQL, one row per scope locked while a
    reservation was checked; the scopes' locks are advisory locks now, and the table,
    if there, is no longer used.)"""
    rows = [CostEntryRow, ReservationRow, SettlementRow, SpendTotalRow]
    # SQLModel sets __table__ on table classes; its stubs do not declare it.
    return [row.__table__ for row in rows]  # type: ignore[attr-defined]


# Explicit mapping between the domain dataclasses and the rows.


def entry_metadata(entry: CostEntry) -> dict[str, Any]:
    """The entry's metadata, checked to be storable as JSON."""
    metadata = dict(entry.metadata)
    if not metadata:  # most entries: nothing to check
        return metadata
    try:
        json.dumps(metadata, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(
            f"cost entry {entry.id!r}: metadata must be JSON-serializable, without NaN ({exc})"
        ) from exc
    return metadata


def entry_from_row(row: CostEntryRow) -> CostEntry:
    return CostEntry(
        id=row.id,
        user_id=row.user_id,
        model=row.model,
        provider=row.provider,
        input_tokens=row.input_tokens,
        output_tokens=row.output_tokens,
        cost=row.cost,
        timestamp=row.timestamp,
        query_id=row.query_id,
        domain=row.domain,
        tier=row.tier,
        metadata=row.metadata_,
    )

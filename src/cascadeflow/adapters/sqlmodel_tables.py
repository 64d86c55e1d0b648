"""The tables behind SQLModelUsageStore. Only sqlmodel_store.py uses them; everything
outside the adapter sees the domain dataclasses they are mapped to and from."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Dialect, Index, TypeDecorator
from sqlmodel import Field, SQLModel


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
    __table_args__ = (Index("ix_cascadeflow_reservations_user_expiry", "user_id", "expires_at"),)

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


class ScopeLockRow(SQLModel, table=True):
    """PostgreSQL only: one row per budget scope (a user id, "*" for global limits),
    locked FOR UPDATE while a reservation is checked and inserted."""

    __tablename__ = "cascadeflow_budget_locks"

    scope: str = Field(primary_key=True)

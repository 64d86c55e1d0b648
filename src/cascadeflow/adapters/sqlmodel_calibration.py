"""Online calibration evidence in the usage database (SQLite or PostgreSQL), so that
gateway replicas learn together and a restart forgets nothing.

Evidence is counts and sums, added with one upsert per row (``seen = seen + n``): many
processes can record at once without a lock of their own. Drafts' samples (features and
label, for a learnt score) are rows of their own, the newest ``KEEP_SAMPLES`` per route
kept; a reader asks for those after the last sequence number it read (on PostgreSQL a
sample committed after a later-numbered one can be missed by a replica that already read
past it: its window is only the thinner for it).
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, Table, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, SQLModel, col, select

from cascadeflow.adapters.sql_database import SQLDatabase
from cascadeflow.application.ports import CalibrationStore
from cascadeflow.domain.online_evidence import (
    FEATURES_VERSION,
    KEEP_SAMPLES,
    EvidenceBin,
    Observation,
    RouteEvidence,
    Sample,
)
from cascadeflow.domain.online_policy import AcceptancePlan, plan_from_dict, plan_to_dict


class EvidenceRow(SQLModel, table=True):
    __tablename__ = "cascadeflow_calibration_evidence"

    route: str = Field(primary_key=True)
    bin: int = Field(primary_key=True)
    seen: int = 0
    labelled: int = 0
    disagreed: int = 0


class RouteCostRow(SQLModel, table=True):
    __tablename__ = "cascadeflow_calibration_costs"

    route: str = Field(primary_key=True)
    drafts: int = 0
    draft_cost: float = 0.0
    verifier_calls: int = 0
    verifier_cost: float = 0.0


class PlanRow(SQLModel, table=True):
    __tablename__ = "cascadeflow_calibration_plans"

    route: str = Field(primary_key=True)
    plan: str  # JSON
    fitted_at: str  # ISO 8601, UTC


class SampleRow(SQLModel, table=True):
    __tablename__ = "cascadeflow_calibration_samples"
    __table_args__ = (Index("ix_cascadeflow_calibration_samples_route_id", "route", "id"),)

    # 64 bits on PostgreSQL; SQLite's INTEGER PRIMARY KEY is its 64-bit rowid already
    id: int | None = Field(default=None, primary_key=True,
                           sa_type=BigInteger().with_variant(Integer(), "sqlite"))
    route: str
    version: int  # FEATURES_VERSION when recorded
    features: str  # JSON list, DRAFT_FEATURES order
    prior: float
    labelled: bool
    disagreed: bool
    fold: bool = False


PRUNE_EVERY = 500  # a record of n samples prunes its route with chance n / PRUNE_EVERY


def _tables(postgres: bool) -> list[Table]:
    rows: tuple[type[SQLModel], ...] = (EvidenceRow, RouteCostRow, PlanRow, SampleRow)
    return [row.__table__ for row in rows]  # type: ignore[attr-defined]


class SQLModelCalibrationStore(CalibrationStore):
    def __init__(self, url: str | None = None) -> None:
        self._db = SQLDatabase(url, label="calibration database", tables=_tables,
                               schema_lock_key=0x63666C6F77_03)

    @property
    def url(self) -> str:
        return self._db.url

    def close(self) -> None:
        self._db.close()

    def _insert(self, table: Table):  # type: ignore[no-untyped-def]
        return (postgresql if self._db.postgres else sqlite).insert(table)

    def record(self, route: str, bins: int, observations: Sequence[Observation]) -> None:
        costs = RouteEvidence.empty(bins).plus(observations)
        counts = {index: add for index, add in enumerate(costs.bins) if add.seen}
        evidence: Table = EvidenceRow.__table__  # type: ignore[attr-defined]
        spend: Table = RouteCostRow.__table__  # type: ignore[attr-defined]
        with self._db.transaction(write=True) as session:
            for index, add in sorted(counts.items()):
                statement = self._insert(evidence).values(
                    route=route, bin=index, seen=add.seen, labelled=add.labelled, disagreed=add.disagreed)
                session.execute(statement.on_conflict_do_update(
                    index_elements=["route", "bin"],
                    set_={name: evidence.c[name] + statement.excluded[name]
                          for name in ("seen", "labelled", "disagreed")}))
            statement = self._insert(spend).values(
                route=route, drafts=costs.drafts, draft_cost=costs.draft_cost,
                verifier_calls=costs.verifier_calls, verifier_cost=costs.verifier_cost)
            session.execute(statement.on_conflict_do_update(
                index_elements=["route"],
                set_={name: spend.c[name] + statement.excluded[name]
                      for name in ("drafts", "draft_cost", "verifier_calls", "verifier_cost")}))
            samples = [seen.sample for seen in observations if seen.sample is not None]
            if samples:
                rows = [SampleRow(route=route, version=FEATURES_VERSION, features=json.dumps(s.features),
                                  prior=s.prior, labelled=s.labelled, disagreed=s.disagreed, fold=s.fold)
                        for s in samples]
                session.add_all(rows)
                if random.random() < len(rows) / PRUNE_EVERY:  # whichever process records
                    session.flush()
                    self._prune(session, route)

    @staticmethod
    def _prune(session: Any, route: str) -> None:
        """Delete the route's samples older than its newest KEEP_SAMPLES."""
        oldest_kept = (select(SampleRow.id).where(col(SampleRow.route) == route)
                       .order_by(col(SampleRow.id).desc()).offset(KEEP_SAMPLES - 1).limit(1).scalar_subquery())
        session.execute(delete(SampleRow).where(col(SampleRow.route) == route,
                                                col(SampleRow.id) < oldest_kept))

    def samples(self, route: str, after: int, limit: int) -> list[tuple[int, Sample]]:
        query = (select(SampleRow).where(col(SampleRow.route) == route, col(SampleRow.id) > after,
                                         col(SampleRow.version) == FEATURES_VERSION)
                 .order_by(col(SampleRow.id).desc()).limit(limit))
        with self._db.transaction(write=False) as session:
            rows = [(row.id or 0, Sample(tuple(json.loads(row.features)), row.prior, row.labelled,
                                              row.disagreed, row.fold))
                    for row in session.exec(query)]
        return rows[::-1]

    def evidence(self, route: str, bins: int) -> RouteEvidence:
        counts = [EvidenceBin()] * bins
        # rows are read inside the transaction: they expire when it commits
        with self._db.transaction(write=False) as session:
            for row in session.exec(select(EvidenceRow).where(col(EvidenceRow.route) == route)):
                if 0 <= row.bin < bins:
                    counts[row.bin] = EvidenceBin(row.seen, row.labelled, row.disagreed)
            spend = session.get(RouteCostRow, route)
            if spend is None:
                return RouteEvidence(tuple(counts))
            return RouteEvidence(tuple(counts), spend.drafts, spend.draft_cost, spend.verifier_calls,
                                 spend.verifier_cost)

    def save_plan(self, route: str, plan: AcceptancePlan) -> None:
        table: Table = PlanRow.__table__  # type: ignore[attr-defined]
        statement = self._insert(table).values(route=route, plan=json.dumps(plan_to_dict(plan)),
                                               fitted_at=datetime.now(UTC).isoformat())
        with self._db.transaction(write=True) as session:
            session.execute(statement.on_conflict_do_update(
                index_elements=["route"], set_={"plan": statement.excluded.plan,
                                                "fitted_at": statement.excluded.fitted_at}))

    def plans(self) -> dict[str, AcceptancePlan]:
        with self._db.transaction(write=False) as session:
            return {row.route: plan_from_dict(json.loads(row.plan)) for row in session.exec(select(PlanRow))}

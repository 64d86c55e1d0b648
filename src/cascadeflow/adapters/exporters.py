"""Cost entries written to JSON, CSV or a standalone SQLite file."""

from __future__ import annotations

import csv
import json
import sqlite3
from contextlib import closing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cascadeflow.domain.budgets import CostEntry
from cascadeflow.domain.errors import ConfigurationError, StorageError

EXPORT_FORMATS = ("json", "csv", "sqlite")
COLUMNS = ("id", "timestamp", "user_id", "model", "provider", "input_tokens", "output_tokens",
           "cost", "query_id", "domain", "tier", "metadata")


def _row(entry: CostEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "timestamp": entry.timestamp.isoformat(),
        "user_id": entry.user_id,
        "model": entry.model,
        "provider": entry.provider,
        "input_tokens": entry.input_tokens,
        "output_tokens": entry.output_tokens,
        "cost": entry.cost,
        "query_id": entry.query_id,
        "domain": entry.domain,
        "tier": entry.tier,
        "metadata": dict(entry.metadata),
    }


def export_entries(entries: Sequence[CostEntry], path: Path, fmt: str) -> int:
    """Write every entry to ``path``; returns how many were written."""
    if fmt not in EXPORT_FORMATS:
        raise ConfigurationError(f"export format {fmt!r} unknown; use one of {', '.join(EXPORT_FORMATS)}")
    rows = [_row(e) for e in entries]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "json":
            path.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        elif fmt == "csv":
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=COLUMNS)
                writer.writeheader()
                for row in rows:
                    writer.writerow({**row, "metadata": json.dumps(row["metadata"], sort_keys=True)})
        else:
            _write_sqlite(rows, path)
    except OSError as exc:
        raise StorageError(f"cannot write the export to {path}: {exc.strerror or exc}") from exc
    return len(rows)


def _write_sqlite(rows: list[dict[str, Any]], path: Path) -> None:
    path.unlink(missing_ok=True)
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(
            "CREATE TABLE cost_entries (id TEXT PRIMARY KEY, timestamp TEXT NOT NULL, user_id TEXT,"
            " model TEXT NOT NULL, provider TEXT NOT NULL, input_tokens INTEGER NOT NULL,"
            " output_tokens INTEGER NOT NULL, cost REAL NOT NULL, query_id TEXT, domain TEXT,"
            " tier TEXT, metadata TEXT NOT NULL)"
        )
        db.executemany(
            f"INSERT INTO cost_entries VALUES ({', '.join('?' for _ in COLUMNS)})",
            [tuple(json.dumps(r[c], sort_keys=True) if c == "metadata" else r[c] for c in COLUMNS)
             for r in rows],
        )

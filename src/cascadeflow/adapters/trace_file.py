"""Read trace files (JSON Lines, optionally gzip-compressed) into TraceRecords."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cascadeflow.domain.errors import TraceFormatError
from cascadeflow.domain.messages import Message
from cascadeflow.domain.trace import RecordedResponse, TraceRecord

BUNDLED_TRACES = ("gsm8k", "mtbench")


class _Response(BaseModel):
    model_config = ConfigDict(extra="ignore")
    text: str
    input_tokens: int | None = Field(default=None, ge=0)
    output_tokens: int | None = Field(default=None, ge=0)
    cost_usd: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    logprobs: list[float] | None = None
    confidence: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    finish_reason: str = "stop"
    correct: bool | None = None
    score: float | None = Field(default=None, allow_inf_nan=False)
    samples: list[str] = Field(default_factory=list)  # the same model asked again


class _Message(BaseModel):
    role: Literal["system", "user", "assistant"]
    content: str


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str = Field(min_length=1)
    query: str | None = None
    messages: list[_Message] | None = None
    domain: str | None = None
    responses: dict[str, _Response] = Field(min_length=1)

    @model_validator(mode="after")
    def _has_query(self) -> _Record:
        if (self.query is None) == (self.messages is None):
            raise ValueError("give exactly one of 'query' or 'messages'")
        return self


def _to_domain(record: _Record) -> TraceRecord:
    if record.messages is not None:
        messages = tuple(Message(m.role, m.content) for m in record.messages)
    else:
        messages = (Message("user", record.query or ""),)
    responses = {
        name: RecordedResponse(
            text=r.text,
            input_tokens=r.input_tokens,
            output_tokens=r.output_tokens,
            cost_usd=r.cost_usd,
            logprobs=tuple(r.logprobs) if r.logprobs is not None else None,
            confidence=r.confidence,
            finish_reason=r.finish_reason,
            correct=r.correct,
            score=r.score,
            samples=tuple(r.samples),
        )
        for name, r in record.responses.items()
    }
    return TraceRecord(id=record.id, messages=messages, responses=responses, domain=record.domain)


def resolve_trace(name_or_path: str) -> Path:
    """A path as given, or the bundled trace of that name (``gsm8k``, ``mtbench``)."""
    if name_or_path in BUNDLED_TRACES:
        bundled = resources.files("cascadeflow.data.traces") / f"{name_or_path}.jsonl.gz"
        return Path(str(bundled))
    path = Path(name_or_path)
    if not path.is_file():
        raise TraceFormatError(
            f"trace file {name_or_path!r} not found; give a JSON Lines file or one of the "
            f"bundled traces: {', '.join(BUNDLED_TRACES)}"
        )
    return path


def _lines(path: Path) -> Iterator[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        yield from handle


def read_trace(path: Path) -> list[TraceRecord]:
    """Every record of a trace file; a bad line raises TraceFormatError naming it."""
    records: list[TraceRecord] = []
    seen: set[str] = set()
    for number, line in enumerate(_lines(path), start=1):
        if not line.strip():
            continue
        try:
            record = _Record.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise TraceFormatError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'record'}: {e['msg']}" for e in exc.errors()
            )
            raise TraceFormatError(f"{path}:{number}: {problems}") from exc
        if record.id in seen:
            raise TraceFormatError(f"{path}:{number}: duplicate id {record.id!r}")
        seen.add(record.id)
        records.append(_to_domain(record))
    if not records:
        raise TraceFormatError(f"{path}: the trace holds no records")
    return records

"""Reading trace files from disk, bundled and user-written."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from cascadeflow.bootstrap import load_trace
from cascadeflow.domain.errors import TraceFormatError


def write(path: Path, *lines: object) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    return path


def test_bundled_gsm8k_trace_matches_the_published_accuracies() -> None:
    records = load_trace("gsm8k")
    assert len(records) == 1307  # 1,319 minus the 12 contaminated prompts
    for model, published in (("gpt-4-1106-preview", 0.858), ("mixtral-8x7b-instruct", 0.637)):
        accuracy = sum(bool(r.responses[model].correct) for r in records) / len(records)
        assert accuracy == pytest.approx(published, abs=0.0005)
    assert all(r.responses[m].cost_usd for r in records for m in r.responses)


def test_bundled_mtbench_trace_has_judge_scores() -> None:
    records = load_trace("mtbench")
    assert len(records) == 72
    assert all(1 <= (r.responses["gpt-4-1106-preview"].score or 0) <= 10 for r in records)


def test_messages_and_gzip_are_read(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl.gz"
    line = {"id": "a", "messages": [{"role": "system", "content": "Be brief."},
                                    {"role": "user", "content": "Hi"}],
            "responses": {"m": {"text": "Hello"}}}
    with gzip.open(path, "wt") as handle:
        handle.write(json.dumps(line) + "\n")
    (record,) = load_trace(str(path))
    assert [m.role for m in record.messages] == ["system", "user"]
    assert record.responses["m"].input_tokens is None


@pytest.mark.parametrize(
    "line,fragment",
    [
        ("{not json", "not valid JSON"),
        ({"id": "a", "responses": {"m": {"text": "x"}}}, "exactly one of 'query' or 'messages'"),
        ({"id": "a", "query": "q", "responses": {}}, "responses"),
        ({"id": "a", "query": "q", "responses": {"m": {"text": "x", "cost_usd": -1}}}, "cost_usd"),
        ({"id": "a", "query": "q", "responses": {"m": {"correct": True}}}, "text"),
    ],
)
def test_bad_lines_name_the_line_and_the_field(tmp_path: Path, line: object, fragment: str) -> None:
    ok = {"id": "ok", "query": "q0", "responses": {"m": {"text": "x"}}}
    path = write(tmp_path / "t.jsonl", ok, line)
    with pytest.raises(TraceFormatError, match=fragment) as caught:
        load_trace(str(path))
    assert "t.jsonl:2" in str(caught.value)


def test_duplicate_ids_and_missing_files(tmp_path: Path) -> None:
    rec = {"id": "a", "query": "q", "responses": {"m": {"text": "x"}}}
    with pytest.raises(TraceFormatError, match="duplicate id"):
        load_trace(str(write(tmp_path / "d.jsonl", rec, rec)))
    with pytest.raises(TraceFormatError, match="not found"):
        load_trace(str(tmp_path / "missing.jsonl"))
    with pytest.raises(TraceFormatError, match="no records"):
        load_trace(str(write(tmp_path / "empty.jsonl", "")))

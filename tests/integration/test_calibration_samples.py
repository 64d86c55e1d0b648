"""Drafts' samples in every calibration store: the window a learnt score is fitted on,
shared by the processes that open one database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cascadeflow.adapters import sqlmodel_calibration
from cascadeflow.adapters.sqlmodel_calibration import SQLModelCalibrationStore
from cascadeflow.application.ports import CalibrationStore
from cascadeflow.domain.draft_features import DRAFT_FEATURES
from cascadeflow.domain.online_evidence import Observation, Sample
from cascadeflow.testing import InMemoryCalibrationStore

BINS = 10


def drafted(n: int, disagreed: bool = False) -> Observation:
    features = tuple(float(n + i) for i in range(len(DRAFT_FEATURES)))
    return Observation(bin=n % BINS, labelled=True, disagreed=disagreed, draft_cost=0.001, verifier_cost=0.01,
                       sample=Sample(features, prior=n / 100, labelled=True, disagreed=disagreed,
                                     fold=n % 2 == 1))


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def stores(request: pytest.FixtureRequest, tmp_path) -> Iterator[tuple[CalibrationStore, CalibrationStore]]:  # type: ignore[no-untyped-def]
    """Two handles on one store (two processes' views of one database)."""
    if request.param == "memory":
        store = InMemoryCalibrationStore()
        yield store, store
        return
    url = (f"sqlite:///{tmp_path / 'calibration.db'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_url"))
    first, second = SQLModelCalibrationStore(url), SQLModelCalibrationStore(url)
    yield first, second
    first.close()
    second.close()


def test_samples_come_back_in_order_after_the_last_one_read(stores: tuple[CalibrationStore, CalibrationStore]) -> None:
    writer, reader = stores
    writer.record("a -> b", BINS, [drafted(n, disagreed=n % 3 == 0) for n in range(5)])
    writer.record("c -> b", BINS, [drafted(99)])
    writer.record("a -> b", BINS, [Observation(bin=None, verifier_cost=0.01)])  # not drafted: no sample
    got = reader.samples("a -> b", 0, 100)
    assert [s.prior for _, s in got] == [0.0, 0.01, 0.02, 0.03, 0.04]
    assert [s.disagreed for _, s in got] == [True, False, False, True, False]
    assert got[2][1] == drafted(2).sample and [s.fold for _, s in got] == [False, True, False, True, False]
    sequences = [n for n, _ in got]
    assert sequences == sorted(sequences) and len(set(sequences)) == 5
    # only what came after, and at most the newest ``limit``
    writer.record("a -> b", BINS, [drafted(5)])
    assert [s.prior for _, s in reader.samples("a -> b", sequences[-1], 100)] == [0.05]
    assert [s.prior for _, s in reader.samples("a -> b", 0, 2)] == [0.04, 0.05]
    # the counts are kept as before
    evidence = reader.evidence("a -> b", BINS)
    assert evidence.drafts == 6 and evidence.verifier_calls == 7 and evidence.labelled == 6


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_routes_oldest_samples_are_deleted_and_no_other_routes(
        database: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlmodel_calibration, "KEEP_SAMPLES", 5)
    monkeypatch.setattr(sqlmodel_calibration, "PRUNE_EVERY", 1)  # every record prunes
    url = (f"sqlite:///{tmp_path / 'calibration.db'}" if database == "sqlite"
           else request.getfixturevalue("postgres_url"))
    other = SQLModelCalibrationStore(url)
    other.record("c -> b", BINS, [drafted(50)])  # id 1
    for n in range(12):  # each from a process of its own: any process prunes
        store = SQLModelCalibrationStore(url)
        store.record("a -> b", BINS, [drafted(n)])
        store.close()
    assert [s.prior for _, s in other.samples("a -> b", 0, 100)] == [0.07, 0.08, 0.09, 0.1, 0.11]
    assert [s.prior for _, s in other.samples("c -> b", 0, 100)] == [0.5]
    other.close()


def test_a_second_process_ranks_drafts_by_the_score_learnt_from_the_first_ones_samples(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from cascadeflow.application.online_calibration import OnlineCalibration
    from cascadeflow.domain.online_policy import OnlineSettings
    from cascadeflow.domain.online_score import feature_vector
    from cascadeflow.testing import HashChance

    url = f"sqlite:///{tmp_path / 'calibration.db'}"
    settings = OnlineSettings(learn_score=True, learn_min_labels=40, bins=BINS, min_labels=5, group_labels=5)
    route = "small -> large"

    def draft(long: bool) -> tuple[float, ...]:  # long drafts disagree; the built-in score cannot tell
        return feature_vector({"log_length": 4.0 if long else 2.0, "length_ratio": 1.0 if long else -1.0})

    first = OnlineCalibration(SQLModelCalibrationStore(url), HashChance(), settings)
    for n in range(300):
        long = n % 3 == 0
        first.learn(route, Observation(bin=5, labelled=True, disagreed=long, draft_cost=0.001, verifier_cost=0.01,
                                       sample=Sample(draft(long), 0.5, labelled=True, disagreed=long,
                                                     fold=OnlineCalibration.fold_of(f"q{n}"))))
    second = OnlineCalibration(SQLModelCalibrationStore(url), HashChance(), settings)  # another replica
    plan = second.plan(route)
    assert any(note.startswith("learnt draft score") and note.endswith("used") for note in plan.notes)
    for key in ("q1", "q2", "q3", "q4"):  # drafts of either fold
        short_score, _ = second.decide_draft(route, 0.5, draft(long=False), key)
        long_score, _ = second.decide_draft(route, 0.5, draft(long=True), key)
        assert short_score > 0.8 > 0.2 > long_score
        # its plan accepts every short draft, and of the long ones only what the target allows
        assert plan.acceptance_of(short_score) == 1.0 and plan.acceptance_of(long_score) < 0.2

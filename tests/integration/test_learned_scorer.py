"""The learned scorer against real scikit-learn: trains, saves, loads, scores, and serves
as the validator of a real cascade."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("sklearn")

from cascadeflow import CascadeAgent, ModelConfig, QualityConfig  # noqa: E402
from cascadeflow.application.calibrate import LabelledDraft  # noqa: E402
from cascadeflow.domain.quality import ValidationContext  # noqa: E402
from cascadeflow.quality import LearnedScorer, SklearnScorerTrainer  # noqa: E402
from cascadeflow.testing import ConfiguredPricing, FakeProvider  # noqa: E402


def labelled(n: int = 120) -> list[LabelledDraft]:
    """Right drafts show their work and end with the answer; wrong ones guess."""
    drafts = []
    for i in range(n):
        a, b = i % 9 + 2, i % 7 + 3
        query = f"A box holds {a} rows of {b} eggs. How many eggs are in the box?"
        if i % 2:
            text = f"There are {a} rows of {b} eggs, so {a} * {b} = <<{a}*{b}={a * b}>>{a * b} eggs.\n#### {a * b}"
        else:
            text = f"I think maybe around {a * b + 3} eggs, roughly, but it is hard to say."
        drafts.append(LabelledDraft(f"d{i}", text, ValidationContext(query=query), bool(i % 2)))
    return drafts


@pytest.fixture(scope="module")
def scorer() -> LearnedScorer:
    return SklearnScorerTrainer().fit(labelled())


def test_trained_scorer_separates_right_from_wrong(scorer: LearnedScorer) -> None:
    held_out = labelled(20)
    scores = [(scorer.score(d.draft, d.context), d.good) for d in held_out]
    assert min(s for s, good in scores if good) > max(s for s, good in scores if not good)
    assert all(0.0 <= s <= 1.0 for s, _ in scores)


def test_pure_python_scoring_matches_scikit_learn() -> None:
    """The saved scorer needs no scikit-learn; its TF-IDF must be scikit-learn's."""
    import numpy as np
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from cascadeflow.domain.draft_features import DRAFT_FEATURES
    from cascadeflow.domain.scoring import features_of

    drafts = labelled()
    trained = SklearnScorerTrainer().fit(drafts)
    vectorizers = [TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_features=2000)
                   for _ in range(2)]
    blocks = [v.fit_transform(col) for v, col in
              zip(vectorizers, ([d.context.query for d in drafts], [d.draft for d in drafts]))]
    hand = np.array([[features_of(d.draft, d.context)[n] for n in DRAFT_FEATURES] for d in drafts])
    centers, scales = hand.mean(axis=0), hand.std(axis=0)
    scales = np.where(scales > 1e-12, scales, 1.0)
    model = LogisticRegression(C=1.0, max_iter=5000).fit(
        sparse.hstack([*blocks, sparse.csr_matrix((hand - centers) / scales)]).tocsr(),
        [d.good for d in drafts])
    probe = [LabelledDraft("p", "So 3 * 4 = 12 eggs. Wait, maybe 13.\n#### 13",
                           ValidationContext(query="A box holds 3 rows of 4 eggs. How many?"), False)]
    row = sparse.hstack([vectorizers[0].transform([probe[0].context.query]),
                         vectorizers[1].transform([probe[0].draft]),
                         sparse.csr_matrix((np.array([[features_of(probe[0].draft, probe[0].context)[n]
                                                       for n in DRAFT_FEATURES]]) - centers) / scales)])
    expected = model.predict_proba(row.tocsr())[0][list(model.classes_).index(True)]
    assert trained.score(probe[0].draft, probe[0].context) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("name", ["scorer.json", "scorer.json.gz"])
def test_saves_small_and_loads_to_the_same_scores(scorer: LearnedScorer, tmp_path: Path,
                                                  name: str) -> None:
    path = tmp_path / name
    scorer.save(path)
    assert path.stat().st_size < 200_000
    loaded = LearnedScorer.load(path)
    for d in labelled(10):
        assert loaded.score(d.draft, d.context) == pytest.approx(scorer.score(d.draft, d.context), abs=1e-5)
    if name.endswith(".json"):
        assert json.loads(path.read_text())["format"] == "cascadeflow.learned-scorer/1"


def test_is_used_by_the_cascade_like_any_other_validator(scorer: LearnedScorer) -> None:
    small = ModelConfig(name="small", provider="groq", cost=0.0001)
    large = ModelConfig(name="large", provider="openai", cost=0.01)
    fake = FakeProvider({
        "small": ["There are 3 rows of 4 eggs, so 3 * 4 = <<3*4=12>>12 eggs.\n#### 12",
                  "I think maybe around 15 eggs, roughly, but it is hard to say."],
        "large": ["12 eggs."],
    })
    agent = CascadeAgent([small, large], QualityConfig(scorer=scorer, min_score=0.5,
                                                       reject_hedging=False),
                         fake, pricing=ConfiguredPricing())
    kept = agent.run_sync("A box holds 3 rows of 4 eggs. How many eggs are in the box?")
    escalated = agent.run_sync("A box holds 3 rows of 5 eggs. How many eggs are in the box?")
    assert kept.model_used == "small" and kept.quality_score is not None and kept.quality_score > 0.5
    assert escalated.model_used == "large" and escalated.calls[0].reason.startswith("score")


def test_needs_both_kinds_of_draft() -> None:
    from cascadeflow import ConfigurationError

    with pytest.raises(ConfigurationError, match="both good and bad"):
        SklearnScorerTrainer().fit([d for d in labelled() if d.good])


def test_a_stronger_penalty_shrinks_the_weights() -> None:
    """Calibration hands the trainer each strength of its grid (1 / C) to cross-validate."""
    trainer = SklearnScorerTrainer()
    weak, strong = (trainer.fit(labelled(), strength) for strength in (min(trainer.strengths),
                                                                       max(trainer.strengths)))
    assert sum(abs(w) for w in strong.coef) < sum(abs(w) for w in weak.coef)
    assert trainer.fit(labelled(), None).coef == SklearnScorerTrainer(c=1.0).fit(labelled()).coef

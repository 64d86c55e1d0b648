"""The opt-in learned draft scorer (FrugalGPT's idea): from the query and the draft,
predict whether the draft is good enough.

Training uses scikit-learn (``pip install 'cascadeflow[ml]'``), imported only when a
scorer is trained: TF-IDF of the query and of the draft plus the hand features of
``draft_features``, into a logistic regression. The fitted model is saved as plain JSON
(vocabularies, idf, weights): small, safe to load (no pickle), and scored in pure Python,
so a cascade that uses a saved scorer needs neither scikit-learn nor numpy.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cascadeflow.application.calibrate import LabelledDraft, ScorerTrainer
from cascadeflow.domain.draft_features import DRAFT_FEATURES
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.quality import ValidationContext
from cascadeflow.domain.scoring import features_of, sigmoid

FORMAT = "cascadeflow.learned-scorer/1"
_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token_pattern


@dataclass(frozen=True, slots=True)
class _Tfidf:
    """scikit-learn's TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True) transform."""

    index: Mapping[str, int]
    idf: Sequence[float]

    def vector(self, text: str) -> dict[int, float]:
        tokens = _TOKEN.findall(text.lower())
        grams = tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]
        counts = Counter(g for g in grams if g in self.index)
        weights = {self.index[g]: (1.0 + math.log(c)) * self.idf[self.index[g]] for g, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {i: w / norm for i, w in weights.items()}


@dataclass(frozen=True, slots=True)
class LearnedScorer:
    """A trained scorer: ``score(text, context)`` is the probability that the draft is good."""

    query_terms: Sequence[str]
    query_idf: Sequence[float]
    draft_terms: Sequence[str]
    draft_idf: Sequence[float]
    hand_centers: Sequence[float]
    hand_scales: Sequence[float]
    coef: Sequence[float]
    intercept: float
    trained_on: int = 0
    _vectorizers: tuple[_Tfidf, _Tfidf] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        expected = len(self.query_terms) + len(self.draft_terms) + len(DRAFT_FEATURES)
        if len(self.coef) != expected or len(self.hand_centers) != len(DRAFT_FEATURES):
            raise ConfigurationError(
                f"learned scorer file does not fit this version: {len(self.coef)} weights, "
                f"expected {expected}; train it again"
            )
        object.__setattr__(self, "_vectorizers", (
            _Tfidf({t: i for i, t in enumerate(self.query_terms)}, self.query_idf),
            _Tfidf({t: i for i, t in enumerate(self.draft_terms)}, self.draft_idf),
        ))

    def score(self, text: str, context: ValidationContext) -> float:
        query, draft = self._vectorizers
        total = self.intercept
        for i, value in query.vector(context.query).items():
            total += self.coef[i] * value
        offset = len(self.query_terms)
        for i, value in draft.vector(text).items():
            total += self.coef[offset + i] * value
        offset += len(self.draft_terms)
        hand = features_of(text, context)
        for j, name in enumerate(DRAFT_FEATURES):
            scale = self.hand_scales[j] or 1.0
            total += self.coef[offset + j] * (hand[name] - self.hand_centers[j]) / scale
        return sigmoid(total)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "learned", "format": FORMAT, "trained_on": self.trained_on,
            "query": {"terms": list(self.query_terms), "idf": _rounded(self.query_idf)},
            "draft": {"terms": list(self.draft_terms), "idf": _rounded(self.draft_idf)},
            "hand": {"names": list(DRAFT_FEATURES), "centers": _rounded(self.hand_centers),
                     "scales": _rounded(self.hand_scales)},
            "coef": _rounded(self.coef), "intercept": self.intercept,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LearnedScorer:
        if data.get("format") != FORMAT:
            raise ConfigurationError(f"not a learned scorer (format {data.get('format')!r})")
        if list(data["hand"]["names"]) != list(DRAFT_FEATURES):
            raise ConfigurationError("learned scorer was trained on other features: train it again")
        return cls(
            query_terms=tuple(data["query"]["terms"]), query_idf=tuple(data["query"]["idf"]),
            draft_terms=tuple(data["draft"]["terms"]), draft_idf=tuple(data["draft"]["idf"]),
            hand_centers=tuple(data["hand"]["centers"]), hand_scales=tuple(data["hand"]["scales"]),
            coef=tuple(data["coef"]), intercept=float(data["intercept"]),
            trained_on=int(data.get("trained_on", 0)),
        )

    def save(self, path: str | Path) -> None:
        write_json(path, self.to_dict())

    @classmethod
    def load(cls, path: str | Path) -> LearnedScorer:
        return cls.from_dict(read_json(path))


def _rounded(values: Sequence[float]) -> list[float]:
    return [float(f"{v:.7g}") for v in values]


def write_json(path: str | Path, data: Mapping[str, Any]) -> None:
    """JSON, gzip-compressed when the name ends in .gz."""
    text = json.dumps(data, indent=None if str(path).endswith(".gz") else 1)
    if str(path).endswith(".gz"):
        Path(path).write_bytes(gzip.compress(text.encode()))
    else:
        Path(path).write_text(text)


def read_json(path: str | Path) -> Any:
    file = Path(path)
    if not file.is_file():
        raise ConfigurationError(f"file not found: {file}")
    try:
        raw = gzip.decompress(file.read_bytes()) if file.suffix == ".gz" else file.read_bytes()
        return json.loads(raw)
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"{file} is not a JSON file cascadeflow wrote: {exc}") from exc


class SklearnScorerTrainer(ScorerTrainer):
    """Fits a LearnedScorer with scikit-learn; the import happens here, on first fit.

    ``c`` is scikit-learn's inverse regularisation used when no strength is given;
    calibration instead picks one of ``strengths`` (``1 / C``) by cross-validation on the
    calibration half. Thousands of sparse TF-IDF columns over a few hundred drafts
    overfit easily, hence a grid reaching strong penalties."""

    def __init__(self, max_terms: int = 2000, c: float = 1.0,
                 strengths: tuple[float, ...] = (0.3, 1.0, 3.0, 10.0, 30.0)) -> None:
        self.max_terms = max_terms
        self.c = c
        self.strengths = strengths

    def fit(self, drafts: Sequence[LabelledDraft], strength: float | None = None) -> LearnedScorer:
        try:
            import numpy as np
            from scipy import sparse
            from sklearn.feature_extraction.text import TfidfVectorizer
            from sklearn.linear_model import LogisticRegression
        except ImportError as exc:
            raise ConfigurationError(
                "the learned scorer needs scikit-learn: pip install 'cascadeflow[ml]'"
            ) from exc
        labels = [d.good for d in drafts]
        if len(set(labels)) < 2:
            raise ConfigurationError("the learned scorer needs both good and bad drafts to learn from")
        vectorizers = [TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2,
                                       max_features=self.max_terms) for _ in range(2)]
        texts = ([d.context.query for d in drafts], [d.draft for d in drafts])
        blocks = []
        for vectorizer, column in zip(vectorizers, texts):
            try:
                blocks.append(vectorizer.fit_transform(column))
            except ValueError:  # too few documents for min_df: no vocabulary
                vectorizer.set_params(min_df=1)
                blocks.append(vectorizer.fit_transform(column))
        features = [features_of(d.draft, d.context) for d in drafts]
        hand = np.array([[row[n] for n in DRAFT_FEATURES] for row in features])
        centers, scales = hand.mean(axis=0), hand.std(axis=0)
        scales[scales < 1e-12] = 0.0
        standard = (hand - centers) / np.where(scales > 0, scales, 1.0)
        matrix = sparse.hstack([*blocks, sparse.csr_matrix(standard)]).tocsr()
        c = self.c if strength is None else 1.0 / strength
        model = LogisticRegression(C=c, max_iter=5000).fit(matrix, labels)
        good = list(model.classes_).index(True)
        sign = 1.0 if good == 1 else -1.0
        return LearnedScorer(
            *_terms(vectorizers[0]), *_terms(vectorizers[1]),
            hand_centers=centers.tolist(), hand_scales=scales.tolist(),
            coef=(sign * model.coef_[0]).tolist(), intercept=float(sign * model.intercept_[0]),
            trained_on=len(drafts),
        )


def _terms(vectorizer: Any) -> tuple[tuple[str, ...], tuple[float, ...]]:
    ordered = sorted(vectorizer.vocabulary_.items(), key=lambda kv: kv[1])
    return tuple(t for t, _ in ordered), tuple(float(vectorizer.idf_[i]) for _, i in ordered)

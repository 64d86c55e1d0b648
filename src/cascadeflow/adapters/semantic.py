"""Embedding-based signals (the ``semantic`` and ``routing`` extras).

The embedder is WordLlama's ``l2_supercat`` model: static token embeddings (32k tokens x
256 dimensions, MIT licence) that ship inside the ``wordllama`` wheel, pooled by a mean
over the text's tokens. Nothing downloads at run time (the files are read from the
installed package, never through WordLlama's downloading loader), no torch: numpy,
safetensors and tokenizers. A text is embedded in about 30 µs on one core; the model
loads once per process (~0.3 s).

Texts are read up to ``MAX_CHARS`` characters (the first ``MAX_CHARS - TAIL`` and the
last ``TAIL``), so long answers cost the same as short ones.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cascadeflow.domain.detection import DomainDetector
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.quality import ValidationContext, ValidationResult

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

MAX_CHARS = 4000
TAIL = 1000
SEMANTIC_MODEL_FILE = "semantic_domain_model.json.gz"
_INSTALL_HINT = "the semantic extra is not installed: pip install 'cascadeflow[semantic]'"


def bounded(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    return text[: MAX_CHARS - TAIL] + "\n" + text[-TAIL:]


def require_extra() -> None:
    """ConfigurationError (how to install it) unless the semantic extra is installed:
    raised when a semantic object is built, not in the middle of a request."""
    missing = [name for name in ("numpy", "wordllama", "safetensors", "tokenizers")
               if importlib.util.find_spec(name) is None]
    if missing:
        raise ConfigurationError(f"{_INSTALL_HINT} (missing: {', '.join(missing)})")


class WordLlamaEmbedder:
    """Unit-length sentence embeddings from WordLlama's packaged model."""

    dimensions = 256

    def __init__(self) -> None:
        require_extra()
        self._inference: Any = None
        self._lock = threading.Lock()

    def _model(self) -> Any:
        if self._inference is None:
            with self._lock:
                if self._inference is None:
                    self._inference = _load_wordllama()
        return self._inference

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        import numpy as np

        if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
            raise ConfigurationError("WordLlamaEmbedder.embed needs a list of strings")
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors: NDArray[np.float32] = self._model().embed([bounded(t) for t in texts])
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        # a text with no tokens (empty, or whitespace) has no direction: it stays zero
        unit: NDArray[np.float32] = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
        return unit

    def similarity(self, first: str, second: str) -> float:
        a, b = self.embed([first, second])
        return float(a @ b)


def _load_wordllama() -> Any:
    try:
        import wordllama
        from safetensors import safe_open
        from tokenizers import Tokenizer
        from wordllama.inference import WordLlamaInference
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise ConfigurationError(_INSTALL_HINT) from exc
    root = Path(wordllama.__file__).parent
    tokenizer_file = root / "tokenizers" / "l2_supercat_tokenizer_config.json"
    weights_file = root / "weights" / "l2_supercat_256.safetensors"
    if not (tokenizer_file.is_file() and weights_file.is_file()):
        raise ConfigurationError(
            f"wordllama {getattr(wordllama, '__version__', '?')} does not ship its l2_supercat "
            f"model inside the package; install wordllama 0.4 (cascadeflow[semantic])"
        )
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    with safe_open(str(weights_file), framework="np", device="cpu") as weights:
        embedding = weights.get_tensor("embedding.weight")
    return WordLlamaInference(embedding, tokenizer, binary=False)


_DEFAULT: WordLlamaEmbedder | None = None


def default_embedder() -> WordLlamaEmbedder:
    """One embedder per process, shared by every semantic signal."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = WordLlamaEmbedder()
    return _DEFAULT


class SemanticSimilarity:
    """Cosine similarity of two texts' embeddings, in [-1, 1] (1: same meaning)."""

    def __init__(self, embedder: WordLlamaEmbedder | None = None) -> None:
        self.embedder = embedder or default_embedder()

    def __call__(self, first: str, second: str) -> float:
        return self.embedder.similarity(first, second)


class SemanticRelevanceScorer:
    """A draft scorer (``QualityConfig(scorer=...)``): how close the answer's meaning is
    to the query's, as the cosine similarity clipped to [0, 1]. An answer that drifts
    off the question scores low. Opt-in; it measures relevance, not correctness."""

    def __init__(self, embedder: WordLlamaEmbedder | None = None) -> None:
        self.embedder = embedder or default_embedder()

    def score(self, text: str, context: ValidationContext) -> float:
        if not context.query:
            return 1.0
        return max(0.0, self.embedder.similarity(context.query, text))


class SemanticRelevanceValidator:
    """A validator for domain steps: passes when the answer's similarity to the query
    reaches ``min_similarity``."""

    name = "semantic_relevance"

    def __init__(self, min_similarity: float = 0.2, embedder: WordLlamaEmbedder | None = None) -> None:
        if not -1.0 <= min_similarity <= 1.0:
            raise ConfigurationError(f"min_similarity must be in [-1, 1], got {min_similarity!r}")
        self.min_similarity = float(min_similarity)
        self.scorer = SemanticRelevanceScorer(embedder)

    def __call__(self, text: str, context: ValidationContext | None = None) -> ValidationResult:
        context = context or ValidationContext()
        if not context.query:
            return ValidationResult(True, 1.0, "no query to compare with")
        similarity = self.scorer.embedder.similarity(context.query, text)
        passed = similarity >= self.min_similarity
        verb = "reaches" if passed else "is below"
        return ValidationResult(passed, max(0.0, similarity),
                                f"similarity to the query {similarity:.2f} {verb} {self.min_similarity:.2f}")


@dataclass(frozen=True, slots=True)
class _Route:
    domain: str
    centroid: Any


class SemanticDomainDetector:
    """Domain detection with embeddings beside the rules: ``detect(query) -> (domain,
    confidence)``, the contract of ``DomainDetector``.

    In order: a route added by example queries (``add_route("finance", [...])``) wins
    when the query's similarity to its examples' mean reaches ``route_threshold``; then
    the rule-based ``DomainDetector`` names a specialised domain when its evidence is
    enough; a query it leaves ``general`` goes to the embedding model (a logistic regression over the
    query's embedding, fitted on public labelled queries by
    ``scripts/train_domain_model.py``), which names a specialised domain only when its
    probability reaches ``min_probability``. Measured beside the rule-based detector in
    ``benchmarks/detector_holdout.py``.
    """

    def __init__(self, *, rules: DomainDetector | None = None, embedder: WordLlamaEmbedder | None = None,
                 route_threshold: float = 0.45, min_probability: float | None = None) -> None:
        require_extra()
        if not -1.0 <= route_threshold <= 1.0:
            raise ConfigurationError(f"route_threshold must be a similarity in [-1, 1], got {route_threshold!r}")
        if min_probability is not None and not 0.0 <= min_probability <= 1.0:
            raise ConfigurationError(f"min_probability must be in [0, 1], got {min_probability!r}")
        self.rules = rules or DomainDetector()
        self.embedder = embedder or default_embedder()
        self.route_threshold = float(route_threshold)
        model = _semantic_model()
        self._classes: tuple[str, ...] = model.classes
        self._bias, self._weights = model.bias, model.weights
        self.min_probability = float(model.min_probability if min_probability is None else min_probability)
        self._routes: list[_Route] = []

    @property
    def domains(self) -> tuple[str, ...]:
        names = dict.fromkeys((*self.rules.domains, *self._classes, *(r.domain for r in self._routes)))
        return tuple(names)

    def add_route(self, domain: str, examples: Sequence[str]) -> None:
        if not isinstance(domain, str) or not domain.strip() or isinstance(examples, str) or not examples:
            raise ConfigurationError("add_route needs a domain name and a list of example queries")
        vectors = self.embedder.embed(list(examples))
        centroid = vectors.mean(axis=0)
        norm = float((centroid @ centroid) ** 0.5)
        if norm == 0.0:
            raise ConfigurationError(f"add_route({domain!r}): the examples have no words the model knows")
        self._routes.append(_Route(domain, centroid / norm))

    def probabilities(self, query: str) -> dict[str, float]:
        """The embedding model's probability of each built-in domain."""
        return dict(zip(self._classes, self._probabilities(self._vector(query))))

    def detect(self, query: str) -> tuple[str, float]:
        vector = self._vector(query) if self._routes else None
        best_route, best_similarity = None, self.route_threshold
        for route in self._routes:
            similarity = float(vector @ route.centroid)
            if similarity >= best_similarity:
                best_route, best_similarity = route, similarity
        if best_route is not None:
            return best_route.domain, round(best_similarity, 4)
        domain, confidence = self.rules.detect(query)
        if domain != "general":
            return domain, confidence
        probabilities = self._probabilities(self._vector(query) if vector is None else vector)
        top = max(range(len(probabilities)), key=probabilities.__getitem__)
        if self._classes[top] != "general" and probabilities[top] >= self.min_probability:
            return self._classes[top], round(probabilities[top], 4)
        return domain, confidence

    def _vector(self, query: str) -> Any:
        if not isinstance(query, str):
            raise ConfigurationError(f"SemanticDomainDetector.detect needs a string, got {query!r}")
        return self.embedder.embed([query])[0]

    def _probabilities(self, vector: Any) -> list[float]:
        import numpy as np

        logits = self._weights @ vector + self._bias
        exps = np.exp(logits - logits.max())
        return [float(p) for p in exps / exps.sum()]


@dataclass(frozen=True, slots=True)
class SemanticModel:
    classes: tuple[str, ...]
    bias: Any
    weights: Any
    min_probability: float


_SEMANTIC_MODEL: SemanticModel | None = None


def _semantic_model() -> SemanticModel:
    global _SEMANTIC_MODEL
    if _SEMANTIC_MODEL is None:
        import numpy as np

        raw = resources.files("cascadeflow.data").joinpath(SEMANTIC_MODEL_FILE).read_bytes()
        data: Mapping[str, Any] = json.loads(gzip.decompress(raw))
        _SEMANTIC_MODEL = SemanticModel(tuple(data["classes"]), np.asarray(data["bias"], dtype=np.float32),
                                        np.asarray(data["weights"], dtype=np.float32),
                                        float(data["min_probability"]))
    return _SEMANTIC_MODEL


def dump_semantic_model(classes: Sequence[str], bias: Sequence[float],
                        weights: Sequence[Sequence[float]], min_probability: float) -> bytes:
    """The model as ``_semantic_model`` reads it (gzip mtime 0: the same bytes each time)."""
    body = {"classes": list(classes), "min_probability": min_probability,
            "bias": [round(float(b), 5) for b in bias],
            "weights": [[round(float(w), 5) for w in row] for row in weights]}
    return gzip.compress(json.dumps(body, separators=(",", ":")).encode(), mtime=0)

"""The plan's ``cascadeflow/quality/semantic.py`` (opt-in: ``pip install 'cascadeflow[semantic]'``):
embedding-based quality signals from a small model that ships inside a PyPI package
(WordLlama's 256-dimension static embeddings: no download at run time, no torch).

    from cascadeflow.quality import QualityConfig
    from cascadeflow.quality.semantic import SemanticRelevanceScorer, SemanticSimilarity

    config = QualityConfig(scorer=SemanticRelevanceScorer(), min_score=0.3)
    SemanticSimilarity()("The cat sat on the mat", "A cat was sitting on a mat")  # ~0.88

``SemanticRelevanceScorer`` scores a draft by how close its meaning is to the query's
(an answer that drifts off the question scores low); ``SemanticRelevanceValidator`` is
the same check as a validator for domain steps. Relevance is not correctness: measure it
on your traffic (``cascadeflow simulate --calibrate``) before relying on it.
"""

from cascadeflow.adapters.semantic import (
    SemanticRelevanceScorer,
    SemanticRelevanceValidator,
    SemanticSimilarity,
    WordLlamaEmbedder,
    default_embedder,
)

__all__ = ["SemanticRelevanceScorer", "SemanticRelevanceValidator", "SemanticSimilarity",
           "WordLlamaEmbedder", "default_embedder"]

"""The semantic extra: embeddings from the model inside the wordllama wheel (nothing
downloads), a relevance signal for drafts, and the embedding domain detector."""

from __future__ import annotations

import socket

import pytest

from cascadeflow import CascadeAgent, ConfigurationError, ModelConfig, QualityConfig
from cascadeflow.routing import CascadeStep, DomainCascadeStrategy
from cascadeflow.testing import FakeProvider

pytest.importorskip("wordllama", reason="the semantic extra (make test installs it)")

from cascadeflow.quality.semantic import (  # noqa: E402
    SemanticRelevanceScorer,
    SemanticRelevanceValidator,
    SemanticSimilarity,
    WordLlamaEmbedder,
)
from cascadeflow.routing.semantic_router import SemanticDomainDetector  # noqa: E402

MODELS = [ModelConfig(name="small", cost=0.0001), ModelConfig(name="large", cost=0.01)]


def test_the_model_loads_from_the_installed_package_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the semantic extra tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    vectors = WordLlamaEmbedder().embed(["How do I sort a list?", ""])
    assert vectors.shape == (2, 256)
    assert abs(float(vectors[0] @ vectors[0]) - 1.0) < 1e-5  # unit length
    assert float(abs(vectors[1]).sum()) == 0.0  # no words: no direction, no NaN


def test_similarity_ranks_a_paraphrase_above_an_unrelated_text() -> None:
    similar = SemanticSimilarity()
    paraphrase = similar("The cat sat on the mat", "A cat was sitting on a mat")
    unrelated = similar("The cat sat on the mat", "Quarterly revenue fell by four percent")
    assert paraphrase > 0.6 > unrelated


def test_long_texts_are_read_at_both_ends_only() -> None:
    embed = WordLlamaEmbedder().embed
    head, tail = "Photosynthesis in plants. ", " Tax law in Germany."
    long_text = head + "filler " * 20_000 + tail
    cut = head + "filler " * 400 + tail
    assert float(embed([long_text])[0] @ embed([cut])[0]) > 0.9


async def test_an_off_topic_draft_scores_low_and_escalates() -> None:
    scorer = SemanticRelevanceScorer()
    fake = FakeProvider({
        "small": ["My favourite football team won the league this season."],
        "large": ["Boil the pasta in salted water for about ten minutes, then drain it."],
    })
    agent = CascadeAgent(MODELS, provider=fake, quality_config=QualityConfig(scorer=scorer, min_score=0.3))
    result = await agent.run("How long should I boil pasta?")
    assert result.model_used == "large"
    assert result.calls[0].score is not None and result.calls[0].score < 0.3  # the relevance it scored

    on_topic = FakeProvider({"small": ["Boil dried pasta for 8 to 12 minutes in salted water."]})
    agent = CascadeAgent(MODELS, provider=on_topic, quality_config=QualityConfig(scorer=scorer, min_score=0.3))
    assert (await agent.run("How long should I boil pasta?")).model_used == "small"


def test_the_relevance_validator_explains_its_verdict() -> None:
    from cascadeflow.routing import ValidationContext

    check = SemanticRelevanceValidator(min_similarity=0.3)
    context = ValidationContext(query="What are the symptoms of the flu?")
    passed, reason = check("Flu symptoms include fever, cough, sore throat and aches.", context)
    failed, why = check("The Eiffel Tower was finished in 1889.", context)
    assert passed and not failed
    assert "below 0.30" in why and "reaches 0.30" in reason
    with pytest.raises(ConfigurationError):
        SemanticRelevanceValidator(min_similarity=2)
    # usable as a domain step's validation
    CascadeStep(model="small", validation=check)


@pytest.mark.parametrize(("query", "domain"), [
    ("Write a Python function that merges two sorted lists.", "code"),
    ("Solve for x: 3x + 7 = 22.", "math"),
    ("What are the common side effects of ibuprofen?", "medical"),
    ("My landlord refuses to return my security deposit. Can I take him to court?", "legal"),
    ("Suggest a name for a cosy bakery by the sea.", "general"),
])
def test_the_embedding_detector_knows_the_builtin_domains(query: str, domain: str) -> None:
    found, confidence = SemanticDomainDetector().detect(query)
    assert found == domain and 0 < confidence <= 1


def test_the_embedding_model_decides_only_what_the_rules_leave_general_and_only_when_sure() -> None:
    from cascadeflow.routing import DomainDetector

    query = "Count distinct values per column grouped by month"
    assert DomainDetector().detect(query)[0] == "general"  # no evidence the rules know
    probabilities = SemanticDomainDetector().probabilities(query)
    assert abs(sum(probabilities.values()) - 1) < 1e-6
    assert max(probabilities, key=probabilities.__getitem__) == "code"
    assert 0.8 < probabilities["code"] < 0.95
    assert SemanticDomainDetector(min_probability=0.8).detect(query)[0] == "code"
    assert SemanticDomainDetector().detect(query)[0] == "general"  # the default needs 95%
    # a domain the rules name is theirs, whatever the embeddings say
    assert SemanticDomainDetector(min_probability=0.0).detect("Solve for x: 3x + 7 = 22.")[0] == "math"


@pytest.mark.parametrize("bad", [
    lambda: SemanticDomainDetector(route_threshold=-2),
    lambda: SemanticDomainDetector(min_probability=5),
    lambda: SemanticDomainDetector().add_route(5, ["an example"]),  # type: ignore[arg-type]
    lambda: SemanticDomainDetector().add_route("", ["an example"]),
])
def test_bad_settings_are_refused_clearly(bad: object) -> None:
    with pytest.raises(ConfigurationError):
        bad()  # type: ignore[operator]


async def test_routes_by_example_and_an_agent_that_uses_the_detector() -> None:
    detector = SemanticDomainDetector()
    detector.add_route("finance", ["Is an index fund better than an ETF?", "How are stock dividends taxed?",
                                   "Should I rebalance my retirement portfolio?"])
    assert "finance" in detector.domains
    assert detector.detect("Are ETFs or index funds cheaper to hold?")[0] == "finance"
    assert detector.detect("Write a Python function that merges two sorted lists.")[0] == "code"
    with pytest.raises(ConfigurationError):
        detector.add_route("empty", [])

    fake = FakeProvider({"fin-model": ["Index funds and ETFs both track an index."]})
    finance = DomainCascadeStrategy("finance", (CascadeStep(model="fin-model", cost=0.001),))
    agent = CascadeAgent(MODELS, provider=fake, enable_multi_step_cascade=True,
                         domain_strategies={"finance": finance}, domain_detector=detector)
    result = await agent.run("Are ETFs or index funds cheaper to hold?")
    assert result.model_used == "fin-model"

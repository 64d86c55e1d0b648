"""The draft score a route learns from its own (agreement) labels."""

from __future__ import annotations

import random
from dataclasses import replace

from cascadeflow.domain.draft_features import DRAFT_FEATURES
from cascadeflow.domain.online_evidence import Sample
from cascadeflow.domain.calibration import auc
from cascadeflow.domain.online_score import feature_vector, fit_learned_score, histogram


def sample(rng: random.Random, disagrees: bool, labelled: bool = True) -> Sample:
    """A draft whose length tells its label (the built-in score reads no length) and
    whose built-in score is noise."""
    features = {name: rng.random() for name in DRAFT_FEATURES}
    features["log_length"] = (4.0 if disagrees else 2.0) + rng.gauss(0, 0.5)
    return Sample(feature_vector(features), prior=rng.random(), labelled=labelled, disagreed=disagrees and labelled)


def test_a_score_learnt_from_agreement_ranks_what_the_built_in_score_cannot() -> None:
    rng = random.Random(3)
    samples = [sample(rng, disagrees=i % 3 == 0, labelled=i % 5 != 0) for i in range(600)]
    fitted = fit_learned_score(samples)
    assert fitted is not None
    learned, scores = fitted
    assert learned.adopted and learned.auc > 0.9 and abs(learned.prior_auc - 0.5) < 0.1
    assert learned.labels == sum(s.labelled for s in samples)
    assert "used" in learned.note()
    # each sample is scored by the half that did not see it: agreeing drafts rank higher
    labelled = [(x, not s.disagreed) for x, s in zip(scores, samples) if s.labelled]
    assert auc([x for x, _ in labelled], [good for _, good in labelled]) > 0.9
    # a new draft is scored by both halves
    short, long = sample(rng, disagrees=False), sample(rng, disagrees=True)
    assert learned.score(short.features) > learned.score(long.features)


def test_no_score_is_learnt_without_both_kinds_of_label_in_each_half() -> None:
    rng = random.Random(5)
    assert fit_learned_score([sample(rng, disagrees=False) for _ in range(500)]) is None
    few = [sample(rng, disagrees=i % 2 == 0) for i in range(30)]  # under 10 of a kind per half
    assert fit_learned_score(few) is None


def test_a_learnt_score_that_ranks_worse_than_the_built_in_one_is_not_adopted() -> None:
    rng = random.Random(9)
    samples = []
    for i in range(400):  # the built-in score knows the label; the features are noise
        disagrees = i % 3 == 0
        features = feature_vector({name: rng.random() for name in DRAFT_FEATURES})
        samples.append(Sample(features, prior=0.2 if disagrees else 0.8, labelled=True, disagreed=disagrees))
    fitted = fit_learned_score(samples)
    assert fitted is not None and not fitted[0].adopted
    assert "not used" in fitted[0].note()


def test_drafts_that_broke_a_rule_score_zero_and_sit_in_the_lowest_bin() -> None:
    rng = random.Random(1)
    samples = [sample(rng, disagrees=i % 3 == 0) for i in range(200)] + [Sample((), 0.0, True, True)]
    fitted = fit_learned_score(samples)
    assert fitted is not None
    _, scores = fitted
    assert scores[-1] == 0.0
    bins = histogram(samples, scores, 10)
    assert sum(b.seen for b in bins) == len(samples)
    assert sum(b.labelled for b in bins) == len(samples)
    assert sum(b.disagreed for b in bins) == sum(s.disagreed for s in samples)
    assert bins[0].seen >= 1


def test_a_label_counts_by_the_inverse_of_its_chance_of_being_drawn() -> None:
    """Ten escalated drafts that disagreed (always labelled) and ten accepted ones that
    agreed, checked in a 10% shadow: the ten shadows stand for a hundred drafts."""
    escalated = [Sample((), 0.5, labelled=True, disagreed=True, chance=1.0)] * 10
    shadowed = [Sample((), 0.5, labelled=True, disagreed=False, chance=0.1)] * 10
    (only,) = histogram(escalated + shadowed, [0.5] * 20, 1)
    assert only.seen == 20
    # 110 drafts' worth of labels, 10 of them disagreeing; worth 12 plain labels
    assert only.labelled == 12 and only.disagreed == 1
    (plain,) = histogram(escalated + [replace(s, chance=1.0) for s in shadowed], [0.5] * 20, 1)
    assert (plain.labelled, plain.disagreed) == (20, 10)

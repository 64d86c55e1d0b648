"""The draft score a route learns from its own (agreement) labels."""

from __future__ import annotations

import random

from cascadeflow.domain.calibration import auc
from cascadeflow.domain.draft_features import DRAFT_FEATURES
from cascadeflow.domain.online_evidence import Sample
from cascadeflow.domain.online_score import feature_vector, fit_learned_score, histogram


def sample(rng: random.Random, disagrees: bool, labelled: bool = True) -> Sample:
    """A draft whose length tells its label (the built-in score reads no length) and
    whose built-in score is noise."""
    features = {name: rng.random() for name in DRAFT_FEATURES}
    features["log_length"] = (4.0 if disagrees else 2.0) + rng.gauss(0, 0.5)
    return Sample(feature_vector(features), prior=rng.random(), labelled=labelled,
                  disagreed=disagrees and labelled, fold=rng.random() < 0.5)


def test_a_score_learnt_from_agreement_ranks_what_the_built_in_score_cannot() -> None:
    rng = random.Random(3)
    samples = [sample(rng, disagrees=i % 3 == 0, labelled=i % 5 != 0) for i in range(600)]
    learned = fit_learned_score(samples)
    assert learned is not None
    assert learned.adopted and learned.auc > 0.9 and abs(learned.prior_auc - 0.5) < 0.1
    assert learned.labels == sum(s.labelled for s in samples)
    assert "used" in learned.note()
    # each draft is scored by the model of the other fold: agreeing drafts rank higher
    labelled = [s for s in samples if s.labelled]
    scores = [learned.score(s.features, s.fold) for s in labelled]
    assert auc(scores, [not s.disagreed for s in labelled]) > 0.9
    short, long = sample(rng, disagrees=False), sample(rng, disagrees=True)
    for fold in (False, True):
        assert learned.score(short.features, fold) > learned.score(long.features, fold)
    assert learned.score((), fold=False) == 0.0  # a draft that broke a rule


def test_a_draft_is_scored_by_the_model_that_did_not_see_its_fold() -> None:
    """A model fitted on one fold has learnt that fold's drafts by heart; the other fold's
    model has not seen them: the two score the same draft differently."""
    rng = random.Random(11)
    samples = [sample(rng, disagrees=i % 3 == 0) for i in range(300)]
    learned = fit_learned_score(samples)
    assert learned is not None
    probe = samples[0]
    own = learned.halves[1 if probe.fold else 0]
    other = learned.halves[0 if probe.fold else 1]
    named = dict(zip(DRAFT_FEATURES, probe.features))
    assert learned.score(probe.features, probe.fold) == other.probability(named) != own.probability(named)


def test_no_score_is_learnt_without_both_kinds_of_label_in_each_fold() -> None:
    rng = random.Random(5)
    assert fit_learned_score([sample(rng, disagrees=False) for _ in range(500)]) is None
    few = [sample(rng, disagrees=i % 2 == 0) for i in range(30)]  # under 10 of a kind per fold
    assert fit_learned_score(few) is None
    # every disagreement in one fold: that fold's model would know one kind only
    lopsided = [Sample(s.features, s.prior, True, s.disagreed, fold=s.disagreed)
                for s in (sample(rng, disagrees=i % 3 == 0) for i in range(300))]
    assert fit_learned_score(lopsided) is None


def test_a_learnt_score_that_ranks_worse_than_the_built_in_one_is_not_adopted() -> None:
    rng = random.Random(9)
    samples = []
    for i in range(400):  # the built-in score knows the label; the features are noise
        disagrees = i % 3 == 0
        features = feature_vector({name: rng.random() for name in DRAFT_FEATURES})
        samples.append(Sample(features, prior=0.2 if disagrees else 0.8, labelled=True, disagreed=disagrees,
                              fold=rng.random() < 0.5))
    learned = fit_learned_score(samples)
    assert learned is not None and not learned.adopted
    assert "not used" in learned.note()


def test_the_plans_evidence_counts_every_draft_and_label_once() -> None:
    rng = random.Random(1)
    samples = [sample(rng, disagrees=i % 3 == 0, labelled=i % 4 != 0) for i in range(200)]
    samples.append(Sample((), 0.0, True, True))  # broke a rule: the lowest bin
    learned = fit_learned_score(samples)
    assert learned is not None
    bins = histogram(samples, [learned.score(s.features, s.fold) for s in samples], 10)
    assert sum(b.seen for b in bins) == len(samples)
    assert sum(b.labelled for b in bins) == sum(s.labelled for s in samples)
    assert sum(b.disagreed for b in bins) == sum(s.disagreed for s in samples)
    assert bins[0].seen >= 1 and bins[0].disagreed >= 1


def test_a_learnt_score_and_two_samples_do_not_go_together() -> None:
    import pytest

    from cascadeflow.domain.errors import ConfigurationError
    from cascadeflow.domain.online_policy import OnlineSettings

    with pytest.raises(ConfigurationError, match="learn_score"):
        OnlineSettings(learn_score=True, draft_samples=2)

"""The online plan: which drafts to accept, fitted from agreement counts only."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.online_evidence import CallCosts, EvidenceBin, Observation, RouteEvidence
from cascadeflow.domain.online_policy import (
    NO_LABEL_FLOOR,
    UNRANKED_NOTE,
    Decision,
    OnlineSettings,
    decide,
    drafts,
    fit_plan,
    split_allowance,
)

SETTINGS = OnlineSettings(bins=10, min_labels=50)


def bins(**by_index: tuple[int, int, int]) -> list[EvidenceBin]:
    """Evidence by bin index (b0..b9): (seen, labelled, disagreed)."""
    evidence = [EvidenceBin()] * SETTINGS.bins
    for name, counts in by_index.items():
        evidence[int(name[1:])] = EvidenceBin(*counts)
    return evidence


def test_nothing_is_accepted_before_the_warm_up_labels() -> None:
    plan = fit_plan(bins(b9=(49, 49, 0)), SETTINGS)
    assert plan.accepted_share == 0.0 and plan.acceptance == (0.0,) * 10
    assert plan.bound == 1.0 and "warming up" in plan.notes[0]
    assert decide(plan, 0.95, accept_draw=0.0, shadow_draw=0.9, shadow_share=0.1) is Decision.ESCALATE


def test_a_score_that_separates_accepts_the_agreeing_scores_in_full() -> None:
    # high scores always agreed with the verifier, low scores mostly did not
    plan = fit_plan(bins(b9=(400, 400, 0), b8=(300, 300, 3), b2=(300, 300, 240)), SETTINGS)
    assert plan.acceptance[9] == plan.acceptance[8] == 1.0
    # what is left of the allowance buys a random part of the low scores (80% disagree)
    assert 0.0 < plan.acceptance[2] < 0.25
    assert 0.7 < plan.accepted_share < 0.76
    assert plan.bound == pytest.approx(SETTINGS.target_quality, abs=1e-6)
    assert plan.threshold == 0.2


def test_without_signal_the_cheapest_random_acceptance_the_bound_allows() -> None:
    # every draft scores alike and 20% disagree: accepting a share a loses about 0.2 a
    plan = fit_plan(bins(b5=(2000, 2000, 400)), SETTINGS)
    assert 0.0 < plan.acceptance[5] < 0.25  # 0.05 / 0.2, less the margin
    assert plan.bound == pytest.approx(SETTINGS.target_quality, abs=1e-6)
    assert plan.quality > plan.bound


def test_a_score_that_ranks_backwards_gives_way_to_random_acceptance() -> None:
    # the top scores disagree most (30%), the middle ones least (10%): accepting from the
    # top would spend the allowance on the worst drafts; at random, 20% disagree
    evidence = bins(b9=(1000, 1000, 300), b5=(1000, 1000, 100), b0=(300, 300, 270))
    plan = fit_plan(evidence, SETTINGS)
    assert plan.notes == (UNRANKED_NOTE,)
    assert plan.acceptance[9] == plan.acceptance[5] > 0.0
    assert plan.acceptance[0] == 0.0  # drafts that broke a rule stay out
    from_the_top = 0.05 / 0.3 * 1000 / 2300  # what the top bin alone could take, at most
    assert plan.accepted_share > from_the_top
    assert plan.bound == pytest.approx(SETTINGS.target_quality, abs=1e-6)


def test_a_score_that_ranks_keeps_its_order() -> None:
    plan = fit_plan(bins(b9=(1000, 1000, 20), b5=(1000, 1000, 200)), SETTINGS)
    assert plan.notes == () and plan.acceptance[9] == 1.0 > plan.acceptance[5]
    # no disagreement at the top, 10% lower down: the order is shown, the prior each
    # group pays notwithstanding
    plan = fit_plan(bins(b9=(300, 30, 0), b8=(300, 30, 0), b5=(1000, 1000, 100)), SETTINGS)
    assert plan.notes == () and plan.acceptance[9] == plan.acceptance[8] == 1.0


def test_random_acceptance_weighs_each_bin_by_its_traffic_not_its_labels() -> None:
    # the accepted bin is labelled only in the shadow (100 of 1000) and disagrees 30%;
    # the escalated one is labelled in full and disagrees 10%: at random, 20% disagree
    # (label counts would say 12%, and accept two thirds more than the bound allows)
    plan = fit_plan(bins(b9=(1000, 100, 30), b5=(1000, 1000, 100), b0=(100, 100, 90)), SETTINGS)
    assert plan.notes == (UNRANKED_NOTE,)
    take = plan.acceptance[9]
    assert take == plan.acceptance[5] == plan.acceptance[1] and plan.acceptance[0] == 0.0
    assert take * 0.2 <= SETTINGS.allowance  # what random acceptance loses stays in the allowance
    assert 1 - take * (1000 * 0.3 + 1000 * 0.1) / 2100 >= plan.bound - 1e-9


def test_the_margin_shrinks_as_labels_accumulate() -> None:
    few = fit_plan(bins(b5=(200, 200, 40)), SETTINGS)
    many = fit_plan(bins(b5=(20000, 20000, 4000)), SETTINGS)
    assert few.accepted_share < many.accepted_share < 0.25


def test_a_higher_target_accepts_less() -> None:
    evidence = bins(b9=(500, 500, 10), b5=(500, 500, 100))
    loose = fit_plan(evidence, OnlineSettings(bins=10, target_quality=0.9))
    strict = fit_plan(evidence, OnlineSettings(bins=10, target_quality=0.99))
    assert strict.accepted_share < loose.accepted_share
    assert strict.bound >= 0.99 - 1e-9


def test_when_few_drafts_pass_it_pays_to_skip_most_drafts() -> None:
    # no signal, 40% disagree: about a tenth of drafts can be accepted
    evidence = bins(b5=(3000, 3000, 1200))
    classic = fit_plan(evidence, SETTINGS)
    costs = CallCosts(draft=0.002, verifier=0.01)
    skipping = fit_plan(evidence, SETTINGS, costs)
    assert classic.draft_share == 1.0
    assert skipping.draft_share < 0.5
    # the same quality bound, reached with fewer paid drafts
    assert skipping.bound >= SETTINGS.target_quality - 1e-9
    assert skipping.accepted_share <= skipping.draft_share * (1 - SETTINGS.explore) + 1e-9
    saving = lambda p: p.accepted_share * costs.verifier - p.draft_share * costs.draft  # noqa: E731
    assert saving(skipping) > saving(classic)


def test_cheap_drafts_that_mostly_agree_are_all_drafted() -> None:
    plan = fit_plan(bins(b9=(900, 900, 5), b3=(100, 100, 60)), SETTINGS, CallCosts(0.0001, 0.01))
    assert plan.draft_share == 1.0 and plan.acceptance[9] == 1.0


def test_drafts_that_teach_nothing_stop_being_paid_for_early_and_ever_less() -> None:
    costs = CallCosts(draft=0.001, verifier=0.01)
    m = SETTINGS.min_labels
    share = lambda seen, labelled: fit_plan(bins(b5=(seen, labelled, 0)), SETTINGS, costs).draft_share  # noqa: E731
    assert share(m - 1, 0) == 1.0  # still warming up: every query drafted
    assert share(m, 0) == SETTINGS.explore  # not one label from min_labels drafts
    assert share(m, 1) == 1.0  # labels come, if slowly: keep drafting...
    assert share(4 * m, 10) == share(40 * m, 10) == SETTINGS.explore  # ...then a few, for good
    assert share(8 * m, 0) == pytest.approx(SETTINGS.explore / 2)  # none ever: fewer and fewer
    assert share(1000 * m, 0) == NO_LABEL_FLOOR  # but never none
    assert fit_plan(bins(b5=(m, 0, 0)), SETTINGS).draft_share == 1.0  # costs unknown: no skipping


def test_decisions_follow_the_draws() -> None:
    plan = fit_plan(bins(b5=(2000, 2000, 400)), SETTINGS)
    share = plan.acceptance[5]
    assert decide(plan, 0.55, share - 1e-6, 0.5, 0.1) is Decision.ACCEPT
    assert decide(plan, 0.55, share - 1e-6, 0.05, 0.1) is Decision.SHADOW
    assert decide(plan, 0.55, share + 1e-6, 0.05, 0.1) is Decision.ESCALATE
    assert drafts(plan, 0.99)  # a plan without costs drafts every query


def test_evidence_adds_up_observations() -> None:
    evidence = RouteEvidence.empty(10).plus([
        Observation(bin=9, labelled=True, disagreed=False, draft_cost=0.001, verifier_cost=0.01),
        Observation(bin=9, labelled=True, disagreed=True, draft_cost=0.003, verifier_cost=0.03),
        Observation(bin=2, draft_cost=0.002),
        Observation(bin=None, verifier_cost=0.02),  # skipped the draft
    ])
    assert evidence.bins[9] == EvidenceBin(2, 2, 1) and evidence.bins[2] == EvidenceBin(1, 0, 0)
    assert evidence.labelled == 2
    assert evidence.costs() == CallCosts(pytest.approx(0.002), pytest.approx(0.02))


@pytest.mark.parametrize("field,value", [("target_quality", 1.2), ("confidence", 1.0),
                                         ("shadow_share", -0.1), ("explore", 0.0), ("bins", 0)])
def test_bad_settings_are_refused_with_the_field_named(field: str, value: float) -> None:
    with pytest.raises(ConfigurationError, match=field):
        OnlineSettings(**{field: value})  # type: ignore[arg-type]


def test_a_chain_gives_its_allowance_to_the_draft_that_agrees() -> None:
    # a weak first draft (40% disagree) and a strong middle one (3% disagree), drafts
    # cheap next to the strongest model
    weak, strong = bins(b5=(2000, 2000, 800)), bins(b5=(2000, 2000, 60))
    costs = CallCosts(draft=0.0001, verifier=0.01)
    shares, plans = split_allowance([(weak, costs), (strong, costs)], SETTINGS)
    assert sum(shares) == pytest.approx(1.0)
    # the middle draft takes what it needs to answer every query that reaches it; the
    # rest buys the first draft a few random acceptances
    assert shares[1] > shares[0] and plans[1].accepted_share == 1.0 and plans[0].accepted_share < 0.05
    for evidence, share, plan in zip((weak, strong), shares, plans):
        wanted = 1.0 - (1.0 - SETTINGS.target_quality) * share
        assert plan == fit_plan(evidence, replace(SETTINGS, target_quality=min(1.0, wanted)), costs)
        assert plan.bound >= wanted - 1e-9  # each draft holds its share: the chain holds its target
    halves = [fit_plan(e, replace(SETTINGS, target_quality=0.975), costs) for e in (weak, strong)]
    assert plans[1].accepted_share > halves[1].accepted_share + 0.2  # what an equal split buys


def test_a_chain_splits_equally_until_costs_are_known() -> None:
    same = bins(b5=(2000, 2000, 100))
    costs = CallCosts(draft=0.0001, verifier=0.01)
    assert split_allowance([(same, CallCosts()), (bins(b5=(2000, 2000, 800)), CallCosts())], SETTINGS)[0] == (0.5, 0.5)
    assert split_allowance([(same, costs)], SETTINGS)[0] == (1.0,)
    # drafts alike: the first one's acceptances also save the later drafts
    assert split_allowance([(same, costs)] * 3, SETTINGS)[0] == (1.0, 0.0, 0.0)
    # nothing to accept yet (warming up): the equal split stays
    warming = bins(b5=(10, 10, 0))
    assert split_allowance([(warming, costs)] * 2, SETTINGS)[0] == (0.5, 0.5)

"""The live cascade with online calibration, built through the composition root with fakes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cascadeflow.application.online_calibration import OnlineCalibration
from cascadeflow.application.run_cascade import CascadeRequest, RunCascade
from cascadeflow.bootstrap import bootstrap
from cascadeflow.domain.errors import ProviderUnavailableError
from cascadeflow.domain.messages import Completion, CompletionRequest, Message, call_options
from cascadeflow.domain.online_policy import Decision, OnlineSettings
from cascadeflow.domain.quality_presets import ONLINE_QUALITY
from cascadeflow.domain.results import CascadeResult, ModelCall, Verdict
from cascadeflow.testing import (
    ConfiguredPricing,
    FakeClock,
    FakeProvider,
    HashChance,
    InMemoryCalibrationStore,
)

from .conftest import CHEAP, DEAR, MID

QUICK = OnlineSettings(min_labels=5, bins=10, group_labels=5, refit_every=1, shadow_share=0.0)


def wired(fake: FakeProvider, settings: OnlineSettings = QUICK
          ) -> tuple[RunCascade, OnlineCalibration, InMemoryCalibrationStore]:
    store = InMemoryCalibrationStore()
    online = OnlineCalibration(store, HashChance(), settings)
    cascade = bootstrap(provider=fake, pricing=ConfiguredPricing(), clock=FakeClock(),
                        quality_config=ONLINE_QUALITY, online=online).run_cascade()
    return cascade, online, store


def ask(number: int, *models: object) -> CascadeRequest:
    return CascadeRequest(models=models or (CHEAP, DEAR), query_id=f"q{number}",  # type: ignore[arg-type]
                          messages=(Message("user", f"What is the capital of France? ({number})"),))


async def test_it_escalates_until_the_evidence_supports_drafts_then_accepts_them() -> None:
    fake = FakeProvider({"small": ["Paris."], "large": ["Paris"]})
    cascade, online, _ = wired(fake)
    first = await cascade.execute(ask(0))
    assert first.model_used == "large" and not first.draft_accepted
    assert first.calls[0].verdict is Verdict.REJECTED and "online calibration" in first.calls[0].reason
    results = [await cascade.execute(ask(i)) for i in range(1, 200)]
    assert sum(r.draft_accepted for r in results[:4]) == 0  # the warm-up: 5 labels
    # drafts that always agree end up accepted for nearly every query
    assert sum(r.draft_accepted for r in results[-100:]) > 80
    plan = online.plan(online.route("small", "large"))
    assert plan.bound >= QUICK.target_quality - 1e-9 and plan.disagreed == 0


async def test_drafts_that_disagree_are_accepted_only_as_the_target_allows_and_soon_not_paid_for() -> None:
    fake = FakeProvider({"small": ["London."], "large": ["Paris."]})
    cascade, online, store = wired(fake)
    results = [await cascade.execute(ask(i)) for i in range(1000)]
    # a 95% target lets 5% of the verifier's quality go, in expectation (plus draw noise)
    assert 0 < sum(r.content == "London." for r in results) <= 0.065 * len(results)
    # once the verifier is known to disagree, most queries skip the useless draft
    assert fake.calls_to("small") < 250
    evidence = store.evidence(online.route("small", "large"), QUICK.bins)
    accepted = sum(r.content == "London." for r in results)
    # every draft the verifier also answered is a label (all of them disagreements)
    assert evidence.drafts == fake.calls_to("small") == evidence.labelled + accepted
    assert sum(b.disagreed for b in evidence.bins) == evidence.labelled
    assert evidence.verifier_calls == 1000 - accepted


async def test_a_shadow_check_pays_the_verifier_and_returns_its_answer() -> None:
    fake = FakeProvider({"small": ["Paris."], "large": ["Paris, the capital."]})
    settings = OnlineSettings(min_labels=5, bins=10, group_labels=5, refit_every=1, shadow_share=1.0)
    cascade, _, store = wired(fake, settings)
    results = [await cascade.execute(ask(i)) for i in range(60)]
    checked = [r for r in results if r.calls[0].model == "small" and r.calls[0].verdict is Verdict.ACCEPTED]
    assert len(checked) > 20, "the draft was seldom accepted"
    for result in checked:
        assert result.model_used == "large" and result.models_called == ("small", "large")
        assert "checked against large" in result.calls[0].reason
        assert result.total_cost == sum(c.cost for c in result.calls)


async def test_a_chain_learns_each_draft_against_the_strongest_model() -> None:
    fake = FakeProvider({"small": ["Berlin."], "medium": ["Paris."], "large": ["Paris."]})
    cascade, online, store = wired(fake)
    results = [await cascade.execute(ask(i, CHEAP, MID, DEAR)) for i in range(200)]
    # the chain's two drafts share the 5% allowance
    assert sum(r.model_used == "small" for r in results) <= 0.025 * len(results)
    assert sum(r.model_used == "medium" for r in results[-50:]) > 30
    small = store.evidence(online.route("small", "large", 3), QUICK.bins)
    medium = store.evidence(online.route("medium", "large", 3), QUICK.bins)
    assert small.labelled > 0 and sum(b.disagreed for b in small.bins) == small.labelled
    assert sum(b.disagreed for b in medium.bins) == 0


async def test_a_chain_shares_its_allowance_by_what_each_draft_can_use() -> None:
    fake = FakeProvider({"small": ["Berlin."], "medium": ["Paris."], "large": ["Paris."]})
    cascade, online, _ = wired(fake)
    results = [await cascade.execute(ask(i, CHEAP, MID, DEAR)) for i in range(300)]
    small, medium = online.chain_routes(["small", "medium", "large"])
    allowance = 1.0 - QUICK.target_quality
    kept = [1.0 - online.settings_for(3, route).target_quality for route in (small, medium)]
    # the agreeing middle draft holds most of the chain's allowance, the first the rest
    assert sum(kept) == pytest.approx(allowance) and kept[1] > kept[0]
    assert sum(r.model_used == "small" for r in results) <= allowance * len(results)
    assert sum(r.model_used == "medium" for r in results[-100:]) > 80
    # a domain's route takes its route's share
    assert online.settings_for(3, online.domain_route(medium, "geo")) == online.settings_for(3, medium)
    # a second chain with the same middle draft and strongest model: both split equally
    tiny = replace(CHEAP, name="tiny")
    online.chain_routes(["tiny", "medium", "large"])
    for route in (small, medium, online.route("tiny", "large", 3)):
        assert 1.0 - online.settings_for(3, route).target_quality == pytest.approx(allowance / 2)


async def test_a_draft_held_back_is_returned_when_the_strongest_answer_breaks_a_rule() -> None:
    fake = FakeProvider({"small": ["Paris."], "medium": ["I'm not sure."], "large": ["I'm not sure."]})
    cascade, _, _ = wired(fake)
    result = await cascade.execute(ask(0))  # warming up: the draft waits for the verifier's word
    assert result.models_called == ("small", "large")
    assert (result.content, result.model_used, result.validation_passed) == ("Paris.", "small", True)
    assert not result.draft_accepted  # held back, returned for want of better
    assert result.total_cost == sum(c.cost for c in result.calls)
    # a chain whose middle draft hedges and whose strongest model fails: the first draft
    fake = FakeProvider({"small": ["Paris."], "medium": ["I'm not sure."],
                         "large": [ProviderUnavailableError("large", "down")]})
    cascade, _, _ = wired(fake)
    result = await cascade.execute(ask(0, CHEAP, MID, DEAR))
    assert (result.content, result.model_used, result.draft_accepted) == ("Paris.", "small", False)
    # no draft passed the rules either: the strongest model's answer, flagged
    fake = FakeProvider({"small": ["I cannot help with that."], "large": ["I'm not sure."]})
    cascade, _, _ = wired(fake)
    result = await cascade.execute(ask(0))
    assert (result.model_used, result.validation_passed) == ("large", False)


async def test_rule_failures_are_escalated_whatever_the_plan() -> None:
    fake = FakeProvider({"small": ["I'm not sure."], "large": ["Paris."]})
    cascade, _, _ = wired(fake)
    results = [await cascade.execute(ask(i)) for i in range(50)]
    assert all(r.model_used == "large" for r in results)


async def test_online_calibration_asks_hosted_providers_for_logprobs() -> None:
    from cascadeflow import ModelConfig

    mini = ModelConfig(name="gpt-4o-mini", provider="openai", cost=0.00015)
    local = ModelConfig(name="mine", provider="openai", cost=0.0001, api_base="http://127.0.0.1:9/v1")
    claude = ModelConfig(name="claude-3-5-haiku", provider="anthropic", cost=0.0008)
    fake = FakeProvider(default="Paris.")
    cascade, _, _ = wired(fake)
    await cascade.execute(ask(1, mini, claude))
    await cascade.execute(ask(2, local, claude))
    asked = {(r.model.name, r.logprobs) for r in fake.requests}
    # OpenAI's API gives logprobs; Anthropic's and a server of the user's own are not asked
    assert asked == {("gpt-4o-mini", True), ("claude-3-5-haiku", False), ("mine", False)}
    fixed = bootstrap(provider=fake, pricing=ConfiguredPricing(), clock=FakeClock()).run_cascade()
    fake.requests.clear()
    await fixed.execute(ask(3, mini, claude))
    assert not any(r.logprobs for r in fake.requests)


class JudgingProvider(FakeProvider):
    """Answers like FakeProvider, and says SAME to a judge's question."""

    async def complete(self, request):  # type: ignore[no-untyped-def]
        if request.messages[0].role == "system" and "SAME" in request.messages[0].content:
            self.requests.append(request)
            from cascadeflow.domain.messages import Completion

            return Completion(text="SAME", model=request.model.name, input_tokens=300, output_tokens=1)
        return await super().complete(request)


ESSAY = " ".join(["The committee weighed the costs and benefits of the proposal in detail."] * 6)
OTHER = " ".join(["Members argued about the plan and what it would cost the town over time."] * 6)


async def test_long_free_text_is_labelled_by_a_paid_judge_call() -> None:
    fake = JudgingProvider({"small": [ESSAY], "large": [OTHER]})
    cascade, online, store = wired(fake)
    first = await cascade.execute(ask(0))
    # escalated (warm-up), then the strongest model judged the pair: three paid calls
    assert first.models_called == ("small", "large", "large")
    judge = first.calls[-1]
    assert "judge: the draft is as good" in judge.reason and judge.cost > 0
    assert first.total_cost == sum(c.cost for c in first.calls)
    assert first.content == OTHER  # the judge's verdict is never the answer
    results = [await cascade.execute(ask(i)) for i in range(1, 120)]
    assert sum(r.draft_accepted for r in results[-40:]) > 25
    assert store.evidence(online.route("small", "large"), QUICK.bins).labelled >= 5


async def test_without_a_judge_free_text_stays_unlabelled_and_drafts_stop_being_paid_for() -> None:
    fake = FakeProvider({"small": [ESSAY], "large": [OTHER]})
    settings = OnlineSettings(min_labels=5, bins=10, group_labels=5, refit_every=1, judge=False)
    cascade, online, store = wired(fake, settings)
    results = [await cascade.execute(ask(i)) for i in range(200)]
    assert not any(r.draft_accepted for r in results)
    assert store.evidence(online.route("small", "large"), QUICK.bins).labelled == 0
    # not one label from min_labels drafts: only a few queries are still drafted
    assert fake.calls_to("small") < 45


async def test_tool_call_drafts_are_labelled_by_comparing_the_calls_as_data() -> None:
    from dataclasses import replace

    from cascadeflow.domain.messages import CallOptions, ToolCall
    from cascadeflow.testing import FakeReply

    tool = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
    same = FakeReply("", tool_calls=(ToolCall("a", "get_weather", '{"city": "Paris"}'),))
    spaced = FakeReply("", tool_calls=(ToolCall("b", "get_weather", '{ "city" : "Paris" }'),))
    other = FakeReply("", tool_calls=(ToolCall("c", "get_weather", '{"city": "Lyon"}'),))
    for draft, disagreed in ((same, 0), (other, 5)):
        fake = FakeProvider({"small": [draft], "large": [spaced]})
        cascade, online, _ = wired(fake)
        for i in range(5):  # the warm-up: both answer, and each pair is a label
            await cascade.execute(replace(ask(i), options=CallOptions(tools=(tool,))))
        plan = online.plan(online.route("small", "large"))
        assert plan.disagreed == disagreed


def in_domain(number: int, domain: str) -> CascadeRequest:
    return CascadeRequest(models=(CHEAP, DEAR), query_id=f"{domain}{number}", domain=domain,
                          messages=(Message("user", f"Question {number} about {domain}?"),))


async def run_two_domains(settings: OnlineSettings) -> tuple[list[bool], list[bool], OnlineCalibration]:
    """Interleaved traffic of two domains: the cheap model always agrees with the strong
    one on 'trivia' and never on 'proofs'. Returns, per domain, whether drafts were accepted."""
    class ByDomain(FakeProvider):  # on 'proofs' the verifier says otherwise
        async def complete(self, request: CompletionRequest) -> Completion:
            done = await super().complete(request)
            if request.model.name == "large" and "proofs" in request.messages[-1].text:
                return replace(done, text="17")
            return done

    fake = ByDomain({"small": ["42"], "large": ["42"]})
    cascade, online, _ = wired(fake, settings)
    trivia, proofs = [], []
    for i in range(600):
        result = await cascade.execute(in_domain(i, "trivia" if i % 2 == 0 else "proofs"))
        (trivia if i % 2 == 0 else proofs).append(result.draft_accepted)
    return trivia, proofs, online


async def test_a_domain_with_enough_labels_gets_a_plan_of_its_own() -> None:
    per_domain = OnlineSettings(min_labels=5, bins=10, group_labels=5, refit_every=1, shadow_share=0.0,
                                domain_min_labels=40)
    trivia, proofs, online = await run_two_domains(per_domain)
    # the domain whose drafts agree ends up accepting nearly all of them; the other none
    assert sum(trivia[-100:]) > 80
    assert sum(proofs[-100:]) <= 10
    route = online.route("small", "large")
    own = online.domain_route(route, "trivia")
    assert own is not None and online.choose(route, own) == own
    assert online.plan(own).disagreed == 0

    pooled = OnlineSettings(min_labels=5, bins=10, group_labels=5, refit_every=1, shadow_share=0.0,
                            domain_min_labels=0)
    trivia_pooled, _, online = await run_two_domains(pooled)
    # one plan for both: half of its labels disagree, so it can accept little of either
    assert sum(trivia_pooled[-100:]) < 40
    assert online.domain_route(online.route("small", "large"), "trivia") is None


async def test_a_second_sample_that_agrees_lifts_a_draft_above_every_one_that_does_not() -> None:
    """Opt-in: the draft model is asked twice. On 'steady' questions its two samples agree
    (and so does the verifier); on 'shaky' ones they differ (and the verifier disagrees)."""

    class TwoMinds(FakeProvider):
        async def complete(self, request: CompletionRequest) -> Completion:
            done = await super().complete(request)
            shaky = "shaky" in request.messages[-1].text
            if request.model.name == "small" and shaky:
                return replace(done, text=str(17 + len(self.requests) % 2))  # a different number each time
            if request.model.name == "large" and shaky:
                return replace(done, text="99")
            return done

    async def accepted(settings: OnlineSettings) -> tuple[list[bool], list[bool], int, float]:
        fake = TwoMinds({"small": ["42"], "large": ["42"]})
        cascade, _, _ = wired(fake, settings)
        steady, shaky, paid = [], [], 0.0
        for i in range(600):
            kind = "steady" if i % 2 == 0 else "shaky"
            result = await cascade.execute(in_domain(i, kind))
            (steady if kind == "steady" else shaky).append(result.draft_accepted)
            paid += result.total_cost
        return steady, shaky, fake.calls_to("small"), paid

    base = dict(min_labels=5, bins=10, group_labels=5, refit_every=1, shadow_share=0.0, domain_min_labels=0)
    steady, shaky, _, _ = await accepted(OnlineSettings(**base, draft_samples=2))  # type: ignore[arg-type]
    assert sum(steady[-100:]) > 80 and sum(shaky[-100:]) <= 5
    once, _, drafts_once, _ = await accepted(OnlineSettings(**base))  # type: ignore[arg-type]
    assert sum(once[-100:]) < 40  # one sample tells the two kinds apart no better than chance
    _, _, drafts_twice, _ = await accepted(OnlineSettings(**base, draft_samples=2))  # type: ignore[arg-type]
    assert drafts_twice > drafts_once  # the second samples are calls, paid for


def second_samples(result: CascadeResult) -> list[ModelCall]:
    return [c for c in result.calls if c.reason.startswith("online calibration: a second sample")]


async def test_a_second_sample_is_a_listed_priced_call() -> None:
    fake = FakeProvider({"small": ["42", "42"], "large": ["42"]})
    settings = OnlineSettings(min_labels=0, bins=10, group_labels=5, refit_every=1, shadow_share=0.0,
                              draft_samples=2)
    cascade, online, _ = wired(fake, settings)
    result = await cascade.execute(ask(1))
    sample = second_samples(result)
    assert len(sample) == 1 and sample[0].model == "small" and sample[0].cost > 0
    assert "a second sample agrees" in sample[0].reason
    assert result.total_cost == sum(c.cost for c in result.calls)
    if result.draft_accepted:
        assert not result.cascaded  # a second sample of the draft is no escalation
    # asked at temperature 0, or with a seed, the samples could not differ: none is taken,
    # and the draft scores on the same (lower-half) scale as an unconfirmed one
    zeros = [await cascade.execute(replace(ask(i), temperature=0.0)) for i in range(10, 30)]
    assert not [c for z in zeros for c in second_samples(z)]
    drafted = [c for z in zeros for c in z.calls if c.model == "small"]
    assert drafted and all(c.score is not None and c.score <= 0.5 for c in drafted)
    seeded = await cascade.execute(replace(ask(3), options=call_options({"seed": 7})))
    assert not second_samples(seeded)
    # the two scales never share evidence
    assert online.route("small", "large") == "small -> large [2 samples]"


def test_a_route_keeps_plans_for_a_bounded_number_of_domains() -> None:
    from cascadeflow.application.online_calibration import MAX_DOMAINS

    _, online, _ = wired(FakeProvider({"small": ["1"], "large": ["1"]}))
    route = online.route("small", "large")
    keys = [online.domain_route(route, f"d{i}") for i in range(MAX_DOMAINS + 5)]
    assert all(k is not None for k in keys[:MAX_DOMAINS])
    assert keys[MAX_DOMAINS:] == [None] * 5  # a domain per user would spread evidence thin
    assert online.domain_route(route, "d0") == keys[0]  # domains already seen keep theirs


def test_only_the_allowed_domains_get_plans_of_their_own() -> None:
    _, online, _ = wired(FakeProvider({"small": ["1"], "large": ["1"]}),
                         OnlineSettings(plan_domains=("math", "code")))
    route = online.route("small", "large")
    assert online.domain_route(route, "math") == "small -> large [domain math]"
    assert online.domain_route(route, "made-up-by-a-client") is None


async def learn_on_lengths(settings: OnlineSettings) -> tuple[list[CascadeResult], OnlineCalibration]:
    """Drafts that agree ("Paris.") and drafts that do not ("London London London."),
    which the built-in score cannot tell apart (it reads no length)."""
    fake = FakeProvider({"small": ["Paris.", "London London London."] * 1000, "large": ["Paris."]})
    cascade, online, _ = wired(fake, settings)
    return [await cascade.execute(ask(i)) for i in range(2000)], online


async def test_a_route_learns_a_score_from_its_labels_where_the_built_in_one_cannot_tell() -> None:
    learning = replace(QUICK, learn_score=True, learn_min_labels=40, refit_every=5)
    results, online = await learn_on_lengths(learning)
    right = sum(r.draft_accepted and r.content == "Paris." for r in results[-300:])
    wrong = sum(r.content.startswith("London") for r in results)
    assert right > 100  # of at most 150 agreeing drafts in the last 300 queries
    assert wrong <= 0.06 * len(results)  # the target holds over the whole stream
    plan = online.plan(online.route("small", "large"))
    assert any(note.startswith("learnt draft score") and note.endswith("used") for note in plan.notes)
    assert plan.bound >= learning.target_quality - 1e-9

    fixed, _ = await learn_on_lengths(replace(learning, learn_score=False))
    assert sum(r.draft_accepted and r.content == "Paris." for r in fixed[-300:]) < right / 3


async def test_a_domain_ranks_its_drafts_by_the_score_its_pooled_route_learnt() -> None:
    settings = replace(QUICK, learn_score=True, learn_min_labels=40, refit_every=5, domain_min_labels=40)
    fake = FakeProvider({"small": ["Paris.", "London London London."] * 1000, "large": ["Paris."]})
    cascade, online, _ = wired(fake, settings)
    results = [await cascade.execute(in_domain(i, "geography")) for i in range(1200)]
    route = online.route("small", "large")
    own = online.domain_route(route, "geography")
    assert own is not None and online.choose(route, own) == own
    assert any(note.startswith("learnt draft score") for note in online.plan(own).notes)
    assert sum(r.draft_accepted and r.content == "Paris." for r in results[-300:]) > 100
    assert sum(r.content.startswith("London") for r in results) <= 0.06 * len(results)


async def test_with_a_learnt_score_tool_call_drafts_are_scored_and_counted_on_its_scale() -> None:
    """Half the queries offer a tool: there the draft calls it wrongly; elsewhere it answers
    the text the verifier gives. The built-in score rates a well-formed call 1.0; the
    learnt one must not, or every wrong call would be accepted."""
    from cascadeflow.domain.messages import CallOptions, ToolCall
    from cascadeflow.testing import FakeReply

    tool = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
    right = FakeReply("", tool_calls=(ToolCall("a", "get_weather", '{"city": "Paris"}'),))
    wrong = FakeReply("", tool_calls=(ToolCall("b", "get_weather", '{"city": "Lyon"}'),))

    class Tools(FakeProvider):
        async def complete(self, request: CompletionRequest) -> Completion:
            done = await super().complete(request)
            if request.options.tools:
                reply = right if request.model.name == "large" else wrong
                return replace(done, text="", tool_calls=reply.tool_calls)
            return done

    # half the accepted drafts checked: labels keep coming while the built-in score, which
    # ranks the wrong calls first, has the plan draft little
    settings = replace(QUICK, learn_score=True, learn_min_labels=40, refit_every=5, shadow_share=0.5)
    cascade, online, store = wired(Tools({"small": ["Paris."], "large": ["Paris."]}), settings)
    results = []
    for i in range(2000):
        request = ask(i)
        results.append((i % 2 == 0, await cascade.execute(
            replace(request, options=CallOptions(tools=(tool,))) if i % 2 == 0 else request)))
    route = online.route("small", "large")
    assert any(n.startswith("learnt draft score") and n.endswith("used") for n in online.plan(route).notes)
    wrong_accepted = sum(offered and r.draft_accepted for offered, r in results)
    assert wrong_accepted <= 0.06 * len(results)  # the target holds
    # the text drafts are accepted (half of them in the shadow, where the verifier answers)
    assert sum(not offered and r.draft_accepted for offered, r in results[-300:]) > 60
    # the tool calls' samples carry features (no text), not an empty row in the lowest bin
    assert all(s.usable for _, s in store.samples(route, 0, 10_000))


async def test_by_default_no_draft_features_are_kept() -> None:
    fake = FakeProvider({"small": ["Paris."], "large": ["Paris."]})
    cascade, online, store = wired(fake)
    for i in range(50):
        await cascade.execute(ask(i))
    assert store.samples(online.route("small", "large"), 0, 100) == []
    assert all(not n.startswith("learnt") for n in online.plan(online.route("small", "large")).notes)


async def test_a_drafts_fold_is_fixed_by_its_query_even_with_fresh_random_draws() -> None:
    """The agent and the gateway draw at random (not from the key): the fold a draft is
    decided with and the fold its sample is stored with must still be the same."""
    from cascadeflow.adapters.chance import SystemChance

    store = InMemoryCalibrationStore()
    online = OnlineCalibration(store, SystemChance(), replace(QUICK, learn_score=True))
    fake = FakeProvider({"small": ["Paris."], "large": ["Paris."]})
    cascade = bootstrap(provider=fake, pricing=ConfiguredPricing(), clock=FakeClock(),
                        quality_config=ONLINE_QUALITY, online=online).run_cascade()
    drafted = [i for i in range(80) if "small" in (await cascade.execute(ask(i))).models_called]
    stored = [s.fold for _, s in store.samples(online.route("small", "large"), 0, 100)]
    assert len(stored) == len(drafted) >= 20
    assert stored == [OnlineCalibration.fold_of(f"q{i}") for i in drafted]
    assert 0 < sum(stored) < len(stored)


def test_a_domain_still_learning_accepts_no_more_of_its_queries_than_the_route_plans() -> None:
    """The route's plan drafts a share of queries and spreads its allowance over those; a
    domain without a plan of its own yet drafts by its own evidence (here: every query)
    and accepts by the route's plan, so each of its drafts is accepted that much less
    often, and the route's share of queries answered by drafts holds."""
    from cascadeflow.domain.online_evidence import Observation

    settings = OnlineSettings(bins=10, min_labels=50, domain_min_labels=100, shadow_share=0.0)
    store = InMemoryCalibrationStore()
    online = OnlineCalibration(store, HashChance(), settings)
    route = online.route("small", "large")
    domain = online.domain_route(route, "law")
    # no signal, 40% of drafts disagree, drafts a fifth of a verifier call: skip most drafts
    store.record(route, 10, [Observation(5, True, i % 5 < 2, 0.002, 0.01) for i in range(3000)])
    store.record(domain, 10, [Observation(5, True, i % 5 < 2, 0.002, 0.01) for i in range(10)])
    online.prepare([route, domain])
    pooled = online.plan(route)
    assert pooled.draft_share < 0.5 and online.plan(domain).draft_share == 1.0
    assert online.choose(route, domain) == route  # the domain's 10 labels decide nothing yet
    accepted = sum(online.decide_draft(route, 0.55, (), f"q{i}", drafted_by=domain)[1] != Decision.ESCALATE
                   for i in range(4000)) / 4000
    assert accepted == pytest.approx(pooled.accepted_share, abs=0.02)  # not accepted_share / draft_share
    by_route = sum(online.decide_draft(route, 0.55, (), f"q{i}")[1] != Decision.ESCALATE
                   for i in range(4000)) / 4000
    assert by_route == pytest.approx(pooled.accepted_share / pooled.draft_share, abs=0.03)


def test_plans_fitted_with_an_old_share_are_refitted_before_use() -> None:
    from cascadeflow.domain.online_evidence import Observation

    online = OnlineCalibration(InMemoryCalibrationStore(), HashChance(), QUICK)
    small, medium = online.chain_routes(["small", "medium", "large"])
    geo = online.domain_route(medium, "geo")
    assert geo is not None
    for i in range(300):  # small always disagrees, medium agrees but for one in 25
        for route, disagreed in ((small, True), (medium, i % 25 == 0), (geo, i % 25 == 0)):
            online.learn(route, Observation(bin=9, labelled=True, disagreed=disagreed,
                                            draft_cost=0.0001, verifier_cost=0.01), 3)
    allowance = 1.0 - QUICK.target_quality
    assert 1.0 - online.settings_for(3, medium).target_quality > allowance / 2  # split its way
    fitted = online.plan(geo, 3)
    assert "of the chain's quality allowance" in fitted.notes[-1]
    # a second chain through medium: every plan fitted with an uneven share is refitted
    # (the domain's too) before it decides anything
    online.chain_routes(["tiny", "medium", "large"])
    assert set(online.unfitted([small, medium, geo])) == {small, medium, geo}
    for route in (small, medium, geo):
        plan = online.plan(route, 3)
        assert not any("chain's quality allowance" in n for n in plan.notes)
        assert plan.bound >= 1.0 - allowance / 2 - 1e-9
    assert online.unfitted([small, medium, geo]) == []

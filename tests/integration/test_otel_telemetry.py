"""OpenTelemetry export checked with the SDK's in-memory span exporter and metric reader."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from cascadeflow import CascadeAgent, ModelConfig
from cascadeflow.domain.errors import ProviderUnavailableError
from cascadeflow.integrations.otel import OpenTelemetryExporter
from cascadeflow.telemetry import BudgetConfig, BudgetExceededError, CostTracker
from cascadeflow.testing import ConfiguredPricing, FakeClock, FakeProvider, FakeReply

SMALL = ModelConfig(name="small", provider="groq", cost=0.1, max_tokens=10)
LARGE = ModelConfig(name="large", provider="vertex_ai", cost=1.0, max_tokens=10)


@dataclass
class Recorded:
    exporter: OpenTelemetryExporter
    spans: InMemorySpanExporter
    metrics: InMemoryMetricReader

    def points(self, name: str) -> list[tuple[dict[str, Any], Any]]:
        """(attributes, data point) of every point of one metric."""
        data = self.metrics.get_metrics_data()
        found = []
        for resource in data.resource_metrics if data else ():
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name == name:
                        found += [(dict(p.attributes or {}), p) for p in metric.data.data_points]
        return found

    def total(self, name: str, **attributes: Any) -> float:
        return sum(p.value for attrs, p in self.points(name)
                   if attributes.items() <= attrs.items())


@pytest.fixture
def recorded() -> Iterator[Recorded]:
    spans, reader = InMemorySpanExporter(), InMemoryMetricReader()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    meter_provider = MeterProvider(metric_readers=[reader])
    exporter = OpenTelemetryExporter(meter_provider=meter_provider, tracer_provider=tracer_provider)
    yield Recorded(exporter, spans, reader)
    exporter.shutdown()


def agent(recorded: Recorded, fake: FakeProvider, **kwargs: Any) -> CascadeAgent:
    kwargs.setdefault("quality_validation_mode", "fast")  # telemetry is under test, not the policy
    return CascadeAgent(models=[SMALL, LARGE], provider=fake, pricing=ConfiguredPricing(),
                        telemetry=recorded.exporter, **kwargs)


def by_name(spans: tuple[ReadableSpan, ...]) -> dict[str, ReadableSpan]:
    return {span.name: span for span in spans}


def test_an_escalated_cascade_is_one_span_with_a_genai_child_per_model_call(
    recorded: Recorded,
) -> None:
    fake = FakeProvider({"small": [FakeReply("I'm not sure.", 7, 3)],
                         "large": [FakeReply("Paris is the capital.", 7, 4)]})

    result = agent(recorded, fake).run_sync("Capital of France?", domain="general")

    spans = by_name(recorded.spans.get_finished_spans())
    assert set(spans) == {"cascadeflow.cascade", "chat small", "chat large"}
    run, draft, verify = spans["cascadeflow.cascade"], spans["chat small"], spans["chat large"]
    assert draft.parent is not None and draft.parent.span_id == run.context.span_id
    assert verify.parent is not None and verify.parent.span_id == run.context.span_id
    assert draft.context.trace_id == verify.context.trace_id == run.context.trace_id
    assert draft.kind is SpanKind.CLIENT and run.kind is SpanKind.INTERNAL
    assert run.start_time is not None and draft.start_time is not None and run.end_time
    assert run.start_time <= draft.start_time and verify.end_time <= run.end_time
    assert dict(draft.attributes or {}).items() >= {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "groq",
        "gen_ai.request.model": "small",
        "gen_ai.response.model": "small",
        "gen_ai.usage.input_tokens": 7,
        "gen_ai.usage.output_tokens": 3,
        "cascadeflow.verdict": "rejected",
        "cascadeflow.step": 0,
    }.items()
    assert draft.attributes and draft.attributes["cascadeflow.validation.reason"]
    assert dict(verify.attributes or {}).items() >= {"gen_ai.provider.name": "gcp.vertex_ai",
                                                     "cascadeflow.verdict": "accepted"}.items()
    assert dict(run.attributes or {}).items() >= {
        "cascadeflow.model_used": "large",
        "cascadeflow.models_called": ("small", "large"),
        "cascadeflow.draft_accepted": False,
        "cascadeflow.cascaded": True,
        "cascadeflow.outcome": "escalated",
        "cascadeflow.domain": "general",
        "gen_ai.usage.input_tokens": 14,
        "gen_ai.usage.output_tokens": 7,
    }.items()
    assert run.attributes and run.attributes["cascadeflow.cost.total"] == pytest.approx(
        result.total_cost)


def test_metrics_count_cost_tokens_requests_escalations_and_latency(recorded: Recorded) -> None:
    fake = FakeProvider({"small": [FakeReply("I'm not sure.", 5, 5), FakeReply("Paris.", 5, 5)],
                         "large": [FakeReply("Paris is the capital.", 5, 5)]})
    runner = agent(recorded, fake)

    escalated = runner.run_sync("Capital?", user_id="alice")
    accepted = runner.run_sync("Capital?", user_id="alice")

    assert recorded.total("cascadeflow.cost.total") == pytest.approx(
        escalated.total_cost + accepted.total_cost)
    assert recorded.total("cascadeflow.cost.total", model="large", provider="vertex_ai") == (
        pytest.approx(0.01))
    assert recorded.total("cascadeflow.tokens.total", **{"gen_ai.token.type": "input"}) == 15
    assert recorded.total("cascadeflow.tokens.total", **{"gen_ai.token.type": "output"}) == 15
    assert recorded.total("cascadeflow.requests") == 2
    assert recorded.total("cascadeflow.requests", outcome="draft_accepted") == 1
    assert recorded.total("cascadeflow.requests", outcome="escalated") == 1
    assert recorded.total("cascadeflow.escalations", model="large") == 1
    assert sum(p.count for _, p in recorded.points("cascadeflow.request.duration")) == 2
    assert {attrs["gen_ai.token.type"] for attrs, _ in recorded.points("gen_ai.client.token.usage")
            } == {"input", "output"}
    everything = [attrs for name in ("cascadeflow.cost.total", "cascadeflow.requests")
                  for attrs, _ in recorded.points(name)]
    assert all("user_id" not in attrs for attrs in everything)  # cardinality: off by default


def test_user_id_is_an_attribute_only_when_switched_on() -> None:
    spans, reader = InMemorySpanExporter(), InMemoryMetricReader()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    exporter = OpenTelemetryExporter(meter_provider=MeterProvider(metric_readers=[reader]),
                                     tracer_provider=tracer_provider, include_user_id=True)
    recorded = Recorded(exporter, spans, reader)
    agent(recorded, FakeProvider(default="Paris.")).run_sync("Capital?", user_id="alice")
    exporter.export_cost(0.5, "bob", "gpt-4o", "openai")

    assert recorded.total("cascadeflow.requests", user_id="alice") == 1
    assert recorded.total("cascadeflow.cost.total", user_id="bob", model="gpt-4o") == 0.5
    assert by_name(spans.get_finished_spans())["cascadeflow.cascade"].attributes["user.id"] == (
        "alice")


def test_blocked_requests_are_counted(recorded: Recorded) -> None:
    tracker = CostTracker(user_budgets={"u": BudgetConfig(daily=0.0)}, store="memory",
                          clock=FakeClock())
    runner = agent(recorded, FakeProvider(default="Paris."), cost_tracker=tracker)

    with pytest.raises(BudgetExceededError):
        runner.run_sync("Capital?", user_id="u", domain="general")

    assert recorded.total("cascadeflow.requests.blocked", domain="general") == 1
    assert recorded.total("cascadeflow.requests", outcome="blocked") == 1
    assert recorded.spans.get_finished_spans() == ()


def test_a_failed_call_is_an_error_span(recorded: Recorded) -> None:
    fake = FakeProvider({"small": [ProviderUnavailableError("small", "503 from upstream")],
                         "large": ["Paris."]})

    agent(recorded, fake).run_sync("Capital?")

    failed = by_name(recorded.spans.get_finished_spans())["chat small"]
    assert failed.status.status_code is StatusCode.ERROR
    assert "503" in (failed.status.description or "")
    assert failed.attributes and failed.attributes["error.type"] == "provider_error"


def test_the_exporter_needs_both_providers_or_none() -> None:
    from cascadeflow import ConfigurationError

    with pytest.raises(ConfigurationError, match="both"):
        OpenTelemetryExporter(meter_provider=MeterProvider())


def test_the_plans_counters_are_cascadeflows_own(recorded: Recorded) -> None:
    # the plan's exporter exposes .meter, .cost_counter and .token_counter
    recorded.exporter.export_cost(0.25, user_id="u1", model="gpt-4o", provider="openai")
    recorded.exporter.cost_counter.add(0.5, attributes={"model": "gpt-4o", "provider": "openai"})
    recorded.exporter.token_counter.add(12, attributes={"model": "gpt-4o"})
    assert recorded.exporter.meter is not None
    assert recorded.total("cascadeflow.cost.total", model="gpt-4o") == pytest.approx(0.75)
    assert recorded.total("cascadeflow.tokens.total", model="gpt-4o") == 12

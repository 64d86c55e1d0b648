"""Telemetry over OTLP/HTTP to a collector on loopback, decoded from the wire bytes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cascadeflow import CascadeAgent, ModelConfig
from cascadeflow.adapters.otel_telemetry import OTelTelemetry
from cascadeflow.integrations.otel import OpenTelemetryExporter
from cascadeflow.testing import ConfiguredPricing, FakeProvider, FakeReply

from .otlp_receiver import OTLPReceiver, attributes

SMALL = ModelConfig(name="small", provider="groq", cost=0.1)
LARGE = ModelConfig(name="large", provider="openai", cost=1.0)


@pytest.fixture
def receiver() -> Iterator[OTLPReceiver]:
    server = OTLPReceiver().start()
    yield server
    server.stop()


def escalating() -> FakeProvider:
    return FakeProvider({"small": [FakeReply("I'm not sure.", 7, 3)],
                         "large": [FakeReply("Paris is the capital.", 7, 4)]})


def test_the_exporter_sends_genai_spans_and_cost_metrics_as_otlp_protobuf(
    receiver: OTLPReceiver,
) -> None:
    exporter = OpenTelemetryExporter(endpoint=receiver.endpoint, service_name="billing-api")
    agent = CascadeAgent(models=[SMALL, LARGE], provider=escalating(),
                         pricing=ConfiguredPricing(), telemetry=exporter)
    try:
        result = agent.run_sync("Capital of France?", domain="general")
        exporter.flush()
        receiver.wait_for("traces")
        receiver.wait_for("metrics")
    finally:
        exporter.shutdown()

    assert receiver.content_types == {"application/x-protobuf"}
    received = receiver.spans()
    names = {span.name for _, span in received}
    assert names == {"cascadeflow.cascade", "chat small", "chat large"}
    resource, _ = received[0]
    assert resource["service.name"] == "billing-api"
    spans = {span.name: span for _, span in received}
    run, draft = spans["cascadeflow.cascade"], spans["chat small"]
    assert draft.parent_span_id == run.span_id and draft.trace_id == run.trace_id
    assert attributes(draft.attributes).items() >= {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "groq",
        "gen_ai.request.model": "small",
        "gen_ai.usage.input_tokens": 7,
        "gen_ai.usage.output_tokens": 3,
        "cascadeflow.verdict": "rejected",
    }.items()
    assert attributes(run.attributes)["cascadeflow.cost.total"] == pytest.approx(result.total_cost)
    assert attributes(run.attributes)["cascadeflow.models_called"] == ("small", "large")

    cost = receiver.metric_points("cascadeflow.cost.total")
    assert sum(value for _, value in cost) == pytest.approx(result.total_cost)
    assert {attrs["model"] for attrs, _ in cost} == {"small", "large"}
    tokens = receiver.metric_points("cascadeflow.tokens.total")
    assert sum(v for a, v in tokens if a["gen_ai.token.type"] == "output") == 7
    requests = receiver.metric_points("cascadeflow.requests")
    assert requests == [({"domain": "general", "model": "large", "outcome": "escalated"}, 1)]


@pytest.mark.parametrize("configured_by", ["environment", "parameter"])
def test_the_agent_exports_when_an_endpoint_is_configured(
    receiver: OTLPReceiver, monkeypatch: pytest.MonkeyPatch, configured_by: str
) -> None:
    if configured_by == "environment":
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint)
        agent = CascadeAgent(models=[SMALL, LARGE], provider=escalating(),
                             pricing=ConfiguredPricing())
    else:
        monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
        agent = CascadeAgent(models=[SMALL, LARGE], provider=escalating(),
                             pricing=ConfiguredPricing(), otel_endpoint=receiver.endpoint)
    telemetry = agent.telemetry
    assert isinstance(telemetry, OTelTelemetry)
    try:
        agent.run_sync("Capital of France?")
        telemetry.flush()
        receiver.wait_for("traces")
    finally:
        telemetry.shutdown()  # while the receiver still listens, not at interpreter exit

    assert {span.name for _, span in receiver.spans()} == {
        "cascadeflow.cascade", "chat small", "chat large"}


def test_no_endpoint_no_telemetry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    agent = CascadeAgent(models=[SMALL, LARGE], provider=escalating(), pricing=ConfiguredPricing())
    assert agent.telemetry is None

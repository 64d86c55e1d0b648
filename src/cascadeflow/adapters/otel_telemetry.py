"""Cascades as OpenTelemetry traces and metrics, exported over OTLP/HTTP.

Spans follow the GenAI semantic conventions (``gen_ai.*``) with ``cascadeflow.*``
attributes for what the conventions do not cover. They are built after the cascade
has finished, from its CascadeResult: the run's span ends when it is recorded and its
model calls are laid out back to back from its start, each as long as it took.
"""

from __future__ import annotations

import os

import logging
import time
from collections.abc import Mapping, Sequence

from opentelemetry.metrics import Counter, MeterProvider
from opentelemetry.trace import SpanKind, Status, StatusCode, TracerProvider, set_span_in_context

from cascadeflow.application.ports import Telemetry
from cascadeflow.domain.results import CascadeResult, ModelCall, Verdict

log = logging.getLogger("cascadeflow.telemetry")

AttributeValue = str | bool | int | float | Sequence[str]

# The GenAI conventions' registered provider names where ours differ.
_GEN_AI_PROVIDER = {"vertex_ai": "gcp.vertex_ai"}
# Bucket boundaries the GenAI conventions advise for gen_ai.client.operation.duration.
_DURATION_BUCKETS_S = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24,
                       20.48, 40.96, 81.92)
_TOKEN_BUCKETS = (1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576)


def request_outcome(result: CascadeResult) -> str:
    if not result.validation_passed:
        return "unvalidated"
    return "escalated" if result.cascaded else "draft_accepted"


def _clean(attributes: Mapping[str, AttributeValue | None]) -> dict[str, AttributeValue]:
    """OpenTelemetry rejects None values; an unknown dimension is simply left out."""
    return {key: value for key, value in attributes.items() if value is not None}


class OTelTelemetry(Telemetry):
    """Records cascades on the given providers (SDK or API ones).

    ``include_user_id`` adds ``user_id`` to metric attributes and ``user.id`` to spans;
    it is off by default because one time series per user can overwhelm a backend.
    """

    def __init__(
        self,
        meter_provider: MeterProvider,
        tracer_provider: TracerProvider,
        *,
        include_user_id: bool = False,
    ) -> None:
        self.meter_provider = meter_provider
        self.tracer_provider = tracer_provider
        self.include_user_id = include_user_id
        self._tracer = tracer_provider.get_tracer("cascadeflow")
        meter = self.meter = meter_provider.get_meter("cascadeflow")
        self._cost = meter.create_counter(
            "cascadeflow.cost.total", unit="USD", description="Cost of model calls in USD")
        self._tokens = meter.create_counter(
            "cascadeflow.tokens.total", unit="{token}", description="Tokens used, by type")
        self._requests = meter.create_counter(
            "cascadeflow.requests", unit="{request}", description="Cascade runs, by outcome")
        self._escalations = meter.create_counter(
            "cascadeflow.escalations", unit="{request}",
            description="Runs whose draft was rejected and that called a stronger model")
        self._blocked = meter.create_counter(
            "cascadeflow.requests.blocked", unit="{request}",
            description="Requests the budget blocked before any model call")
        self._request_latency = meter.create_histogram(
            "cascadeflow.request.duration", unit="ms", description="Latency of a whole cascade")
        self._call_latency = meter.create_histogram(
            "cascadeflow.call.duration", unit="ms", description="Latency of one model call")
        self._gen_ai_tokens = meter.create_histogram(
            "gen_ai.client.token.usage", unit="{token}",
            description="Tokens per model call (GenAI semantic conventions)",
            explicit_bucket_boundaries_advisory=_TOKEN_BUCKETS)
        self._gen_ai_duration = meter.create_histogram(
            "gen_ai.client.operation.duration", unit="s",
            description="Duration of one model call (GenAI semantic conventions)",
            explicit_bucket_boundaries_advisory=_DURATION_BUCKETS_S)

    @property
    def cost_counter(self) -> Counter:
        return self._cost

    @property
    def token_counter(self) -> Counter:
        return self._tokens

    def record_cascade(self, result: CascadeResult, *, tier: str | None = None) -> None:
        try:
            self._record_metrics(result, tier)
            self._record_spans(result, tier)
        except Exception:  # telemetry must never fail the request it describes
            log.exception("could not record the cascade in OpenTelemetry")

    def record_blocked(
        self, *, user_id: str | None, domain: str | None = None, tier: str | None = None
    ) -> None:
        attributes = _clean({"domain": domain, "tier": tier, "user_id": self._user(user_id)})
        self._blocked.add(1, attributes)
        self._requests.add(1, {**attributes, "outcome": "blocked"})

    def record_cost(
        self, cost: float, *, model: str, provider: str, user_id: str | None = None
    ) -> None:
        """One priced call made outside a cascade."""
        self._cost.add(cost, _clean({"model": model, "provider": provider,
                                     "user_id": self._user(user_id)}))

    def flush(self) -> None:
        for provider in (self.tracer_provider, self.meter_provider):
            force_flush = getattr(provider, "force_flush", None)
            if force_flush is not None:
                force_flush()

    def shutdown(self) -> None:
        for provider in (self.tracer_provider, self.meter_provider):
            shutdown = getattr(provider, "shutdown", None)
            if shutdown is not None:
                shutdown()

    def _user(self, user_id: str | None) -> str | None:
        return user_id if self.include_user_id else None

    def _record_metrics(self, result: CascadeResult, tier: str | None) -> None:
        shared = {"domain": result.domain, "tier": tier, "user_id": self._user(result.user_id)}
        run = _clean({**shared, "model": result.model_used, "outcome": request_outcome(result)})
        self._requests.add(1, run)
        self._request_latency.record(result.latency_ms, run)
        if result.cascaded:
            self._escalations.add(1, _clean({**shared, "model": result.model_used}))
        for call in result.calls:
            attributes = _clean({**shared, "model": call.model, "provider": call.provider,
                                 "outcome": call.verdict.value})
            self._cost.add(call.cost, attributes)
            self._tokens.add(call.input_tokens, {**attributes, "gen_ai.token.type": "input"})
            self._tokens.add(call.output_tokens, {**attributes, "gen_ai.token.type": "output"})
            self._call_latency.record(call.latency_ms, attributes)
            gen_ai = _clean({
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": _GEN_AI_PROVIDER.get(call.provider, call.provider),
                "gen_ai.request.model": call.model,
                "error.type": "provider_error" if call.verdict is Verdict.FAILED else None,
            })
            self._gen_ai_duration.record(call.latency_ms / 1000.0, gen_ai)
            if call.verdict is not Verdict.FAILED:
                self._gen_ai_tokens.record(call.input_tokens,
                                           {**gen_ai, "gen_ai.token.type": "input"})
                self._gen_ai_tokens.record(call.output_tokens,
                                           {**gen_ai, "gen_ai.token.type": "output"})

    def _record_spans(self, result: CascadeResult, tier: str | None) -> None:
        end = time.time_ns()
        start = end - int(result.latency_ms * 1_000_000)
        run = self._tracer.start_span(
            "cascadeflow.cascade", kind=SpanKind.INTERNAL, start_time=start,
            attributes=_clean({
                "cascadeflow.model_used": result.model_used,
                "cascadeflow.models_called": list(result.models_called),
                "cascadeflow.cost.total": result.total_cost,
                "cascadeflow.cost.saved": result.cost_saved,
                "cascadeflow.draft_accepted": result.draft_accepted,
                "cascadeflow.cascaded": result.cascaded,
                "cascadeflow.validation.passed": result.validation_passed,
                "cascadeflow.quality_score": result.quality_score,
                "cascadeflow.outcome": request_outcome(result),
                "cascadeflow.domain": result.domain,
                "cascadeflow.tier": tier,
                "cascadeflow.budget.action": result.budget_action,
                "gen_ai.usage.input_tokens": result.input_tokens,
                "gen_ai.usage.output_tokens": result.output_tokens,
                "user.id": self._user(result.user_id),
            }),
        )
        context = set_span_in_context(run)
        cursor = start
        for step, call in enumerate(result.calls):
            call_end = min(cursor + int(call.latency_ms * 1_000_000), end)
            span = self._tracer.start_span(
                f"chat {call.model}", context=context, kind=SpanKind.CLIENT,
                start_time=cursor, attributes=_call_attributes(call, step),
            )
            if call.verdict is Verdict.FAILED:
                span.set_status(Status(StatusCode.ERROR, call.error or "model call failed"))
            span.end(end_time=call_end)
            cursor = call_end
        run.end(end_time=end)


def _call_attributes(call: ModelCall, step: int) -> dict[str, AttributeValue]:
    failed = call.verdict is Verdict.FAILED
    return _clean({
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": _GEN_AI_PROVIDER.get(call.provider, call.provider),
        "gen_ai.system": call.provider,
        "gen_ai.request.model": call.model,
        "gen_ai.response.model": None if failed else call.model,
        "gen_ai.usage.input_tokens": call.input_tokens,
        "gen_ai.usage.output_tokens": call.output_tokens,
        "error.type": "provider_error" if failed else None,
        "cascadeflow.step": step,
        "cascadeflow.cost": call.cost,
        "cascadeflow.verdict": call.verdict.value,
        "cascadeflow.validation.reason": call.reason or None,
        "cascadeflow.validation.score": call.score,
        "cascadeflow.attempts": call.attempts,
    })


def otlp_telemetry(
    endpoint: str,
    *,
    service_name: str = "cascadeflow",
    include_user_id: bool = False,
    export_interval_ms: int = 60_000,
    headers: Mapping[str, str] | None = None,
) -> OTelTelemetry:
    """Telemetry exported over OTLP/HTTP (protobuf) to ``endpoint`` (the collector's
    base URL, e.g. ``http://localhost:4318``): traces to /v1/traces, metrics to
    /v1/metrics. Spans leave in batches, metrics every ``export_interval_ms``; both
    are flushed at interpreter exit."""
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.metrics import MeterProvider as SdkMeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    base = endpoint.rstrip("/")
    # the SDK's default (10 s, retried with backoff) stalls a script's exit for ~7 s when
    # no collector listens; keep telemetry from holding the program up unless asked to
    timeout = None if "OTEL_EXPORTER_OTLP_TIMEOUT" in os.environ else 2.0
    resource = Resource.create({"service.name": service_name})
    reader = PeriodicExportingMetricReader(
        OTLPMetricExporter(endpoint=f"{base}/v1/metrics", headers=dict(headers or {}),
                           timeout=timeout),
        export_interval_millis=export_interval_ms,
    )
    tracer_provider = SdkTracerProvider(resource=resource)
    tracer_provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{base}/v1/traces",
                                            headers=dict(headers or {}), timeout=timeout))
    )
    meter_provider = SdkMeterProvider(metric_readers=[reader], resource=resource)
    return OTelTelemetry(meter_provider, tracer_provider, include_user_id=include_user_id)

"""The plan's OpenTelemetry integration: cost, tokens, requests and latency as OTLP
metrics, and a trace per cascade, for any backend (Grafana, Datadog, Prometheus, …).

    from cascadeflow import CascadeAgent
    from cascadeflow.integrations.otel import OpenTelemetryExporter

    exporter = OpenTelemetryExporter(endpoint="http://localhost:4318")
    agent = CascadeAgent(models=[...], telemetry=exporter)

``CascadeAgent(otel_endpoint=...)`` or the standard ``OTEL_EXPORTER_OTLP_ENDPOINT``
environment variable wire the same exporter without code.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from typing import TYPE_CHECKING

from cascadeflow.application.ports import Telemetry
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.results import CascadeResult

if TYPE_CHECKING:
    from opentelemetry.metrics import Counter, Meter, MeterProvider
    from opentelemetry.trace import TracerProvider

OTEL_AVAILABLE = importlib.util.find_spec("opentelemetry.sdk") is not None
INSTALL_HINT = "install the OpenTelemetry extra: pip install 'cascadeflow[otel]'"

__all__ = ["OTEL_AVAILABLE", "OpenTelemetryExporter"]


class OpenTelemetryExporter(Telemetry):
    """Exports to an OTLP/HTTP collector at ``endpoint``.

    Pass ``meter_provider`` and ``tracer_provider`` to record on providers you already
    have (your application's, or the SDK's in-memory ones in tests) instead of building
    OTLP ones. ``include_user_id`` adds the user to every metric: off by default, since
    one time series per user can overwhelm a backend.
    """

    def __init__(
        self,
        endpoint: str = "http://localhost:4318",
        *,
        service_name: str = "cascadeflow",
        include_user_id: bool = False,
        export_interval_ms: int = 60_000,
        headers: Mapping[str, str] | None = None,
        meter_provider: MeterProvider | None = None,
        tracer_provider: TracerProvider | None = None,
    ) -> None:
        if not OTEL_AVAILABLE:
            raise ConfigurationError(f"OpenTelemetry is not installed: {INSTALL_HINT}")
        from cascadeflow.adapters.otel_telemetry import OTelTelemetry, otlp_telemetry

        self.endpoint = endpoint
        self.include_user_id = include_user_id
        if meter_provider is None and tracer_provider is None:
            self._telemetry = otlp_telemetry(
                endpoint, service_name=service_name, include_user_id=include_user_id,
                export_interval_ms=export_interval_ms, headers=headers,
            )
        elif meter_provider is not None and tracer_provider is not None:
            self._telemetry = OTelTelemetry(
                meter_provider, tracer_provider, include_user_id=include_user_id
            )
        else:
            raise ConfigurationError(
                "pass both meter_provider and tracer_provider, or neither to export over OTLP"
            )

    def record_cascade(self, result: CascadeResult, *, tier: str | None = None) -> None:
        self._telemetry.record_cascade(result, tier=tier)

    def record_blocked(
        self, *, user_id: str | None, domain: str | None = None, tier: str | None = None
    ) -> None:
        self._telemetry.record_blocked(user_id=user_id, domain=domain, tier=tier)

    @property
    def meter(self) -> Meter:
        """The meter cascadeflow's instruments live on (the plan's ``exporter.meter``)."""
        return self._telemetry.meter

    @property
    def cost_counter(self) -> Counter:
        """``cascadeflow.cost.total``, in USD."""
        return self._telemetry.cost_counter

    @property
    def token_counter(self) -> Counter:
        """``cascadeflow.tokens.total``."""
        return self._telemetry.token_counter

    def export_cost(self, cost: float, user_id: str | None, model: str, provider: str) -> None:
        """Count one priced call made outside a cascade in ``cascadeflow.cost.total``."""
        self._telemetry.record_cost(cost, model=model, provider=provider, user_id=user_id)

    def flush(self) -> None:
        self._telemetry.flush()

    def shutdown(self) -> None:
        """Flush and stop the exporters (also done at interpreter exit)."""
        self._telemetry.shutdown()

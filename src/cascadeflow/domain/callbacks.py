"""Named events with user callbacks: cost_recorded, budget_warning, budget_blocked,
degraded, escalated, anomaly_detected."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from enum import Enum
from typing import Any

from cascadeflow.domain.errors import ConfigurationError

log = logging.getLogger("cascadeflow.callbacks")


class CallbackEvent(str, Enum):
    COST_RECORDED = "cost_recorded"
    BUDGET_WARNING = "budget_warning"
    BUDGET_BLOCKED = "budget_blocked"
    DEGRADED = "degraded"
    ESCALATED = "escalated"
    ANOMALY_DETECTED = "anomaly_detected"


Callback = Callable[[dict[str, Any]], None]


class CallbackManager:
    """Calls every callback registered for an event. A failing callback is logged and
    does not stop the others or the request: observers must not break production."""

    def __init__(self) -> None:
        self._callbacks: dict[CallbackEvent, list[Callback]] = defaultdict(list)

    def register(self, event: str | CallbackEvent, callback: Callback) -> None:
        self._callbacks[_event(event)].append(callback)

    def unregister(self, event: str | CallbackEvent, callback: Callback) -> None:
        self._callbacks[_event(event)].remove(callback)

    def trigger(self, event: str | CallbackEvent, **payload: Any) -> None:
        kind = _event(event)
        for callback in list(self._callbacks[kind]):
            try:
                callback({"event": kind.value, **payload})
            except Exception:
                log.exception("callback for %s failed", kind.value)


def _event(event: str | CallbackEvent) -> CallbackEvent:
    try:
        return CallbackEvent(event)
    except ValueError:
        known = ", ".join(e.value for e in CallbackEvent)
        raise ConfigurationError(f"unknown event {event!r}; events are: {known}") from None

"""JSON Schema through the ``jsonschema`` library (the reference implementation for
Python), loaded on first use: a run that checks no schema never imports it.

Schemas come from callers, and a ``pattern`` can take exponential time on a crafted
answer (``^(a|aa)+$``): patterns are matched with the ``regex`` module under a time
limit, so one request cannot stall the gateway's event loop."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any

from cascadeflow.application.ports import SchemaCheck
from cascadeflow.domain.errors import ConfigurationError

_CACHED = 256  # compiled validators kept, by schema text
_MAX_ERROR = 300
PATTERN_SECONDS = 0.05  # per match of a schema's pattern


class JsonSchemaCheck(SchemaCheck):
    """Validates with the schema's own draft (its ``$schema``; 2020-12 when it names
    none), compiling each distinct schema once."""

    def __init__(self) -> None:
        self._validators: dict[str, Any] = {}
        self._lock = threading.Lock()

    def errors(self, instance: Any, schema: Mapping[str, Any]) -> str | None:
        from referencing.exceptions import Unresolvable

        try:
            error = next(iter(self._validator(schema).iter_errors(instance)), None)
        except Unresolvable as missing:  # passes check_schema; found only when followed
            raise ConfigurationError(f"the schema refers to something it does not define: {missing}") from None
        if error is None:
            return None
        where = "/".join(str(p) for p in error.absolute_path)
        message = f"{where}: {error.message}" if where else error.message
        return message if len(message) <= _MAX_ERROR else message[: _MAX_ERROR - 1] + "…"

    def check_schema(self, schema: Mapping[str, Any], where: str) -> None:
        self._validator(schema, where)

    def _validator(self, schema: Mapping[str, Any], where: str = "schema") -> Any:
        key = json.dumps(schema, sort_keys=True, default=str)
        with self._lock:
            found = self._validators.get(key)
        if found is not None:
            return found
        from jsonschema import exceptions, validators

        cls = validators.validator_for(schema, default=validators.Draft202012Validator)
        try:
            cls.check_schema(schema)
        except exceptions.SchemaError as exc:
            raise ConfigurationError(f"{where} is not a valid JSON Schema: {exc.message}") from None
        compiled = _time_limited(cls)(schema)
        with self._lock:
            if len(self._validators) >= _CACHED:
                self._validators.pop(next(iter(self._validators)))
            self._validators[key] = compiled
        return compiled


def _time_limited(cls: Any) -> Any:
    """``cls`` with ``pattern`` and ``patternProperties`` matched under PATTERN_SECONDS."""
    import regex
    from jsonschema import ValidationError, validators

    def search(pattern: str, text: str) -> bool | None:  # None: too slow to tell
        try:
            return regex.search(pattern, text, timeout=PATTERN_SECONDS) is not None
        except TimeoutError:
            return None
        except regex.error:
            return False

    def pattern(validator: Any, expected: str, instance: Any, schema: Any) -> Any:
        if validator.is_type(instance, "string") and not (found := search(expected, instance)):
            why = "takes too long to match" if found is None else "does not match"
            yield ValidationError(f"{instance[:80]!r} {why} {expected!r}")

    def pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Any:
        if not validator.is_type(instance, "object"):
            return
        for expected, subschema in patterns.items():
            for key, value in instance.items():
                found = search(expected, key)
                if found is None:
                    yield ValidationError(f"property {key[:80]!r} takes too long to match {expected!r}")
                elif found:
                    yield from validator.descend(value, subschema, path=key, schema_path=expected)

    return validators.extend(cls, {"pattern": pattern, "patternProperties": pattern_properties})

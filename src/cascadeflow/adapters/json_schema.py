"""JSON Schema through the ``jsonschema`` library (the reference implementation for
Python), loaded on first use: a run that checks no schema never imports it."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any

from cascadeflow.application.ports import SchemaCheck
from cascadeflow.domain.errors import ConfigurationError

_CACHED = 256  # compiled validators kept, by schema text
_MAX_ERROR = 300


class JsonSchemaCheck(SchemaCheck):
    """Validates with the schema's own draft (its ``$schema``; 2020-12 when it names
    none), compiling each distinct schema once."""

    def __init__(self) -> None:
        self._validators: dict[str, Any] = {}
        self._lock = threading.Lock()

    def errors(self, instance: Any, schema: Mapping[str, Any]) -> str | None:
        error = next(iter(self._validator(schema).iter_errors(instance)), None)
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
        compiled = cls(schema)
        with self._lock:
            if len(self._validators) >= _CACHED:
                self._validators.pop(next(iter(self._validators)))
            self._validators[key] = compiled
        return compiled

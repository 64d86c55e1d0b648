"""The JSON Schema adapter: callers' schemas, checked without letting one stall the loop."""

from __future__ import annotations

import time

import pytest

from cascadeflow.adapters.json_schema import PATTERN_SECONDS, JsonSchemaCheck
from cascadeflow.domain.errors import ConfigurationError


def test_a_catastrophic_pattern_is_cut_off_not_run_for_ever() -> None:
    check = JsonSchemaCheck()
    schema = {"type": "object", "properties": {"code": {"type": "string", "pattern": "^(a|aa)+$"}}}
    started = time.perf_counter()
    error = check.errors({"code": "a" * 40 + "!"}, schema)  # ~2^40 steps with Python's re
    assert error is not None and "takes too long to match" in error
    assert time.perf_counter() - started < 100 * PATTERN_SECONDS
    assert check.errors({"code": "aaaa"}, schema) is None
    assert "does not match" in (check.errors({"code": "b"}, schema) or "")


def test_pattern_properties_still_apply() -> None:
    schema = {"type": "object", "patternProperties": {"^n_": {"type": "integer"}}}
    assert JsonSchemaCheck().errors({"n_a": 1, "other": "x"}, schema) is None
    assert "'x' is not of type 'integer'" in (JsonSchemaCheck().errors({"n_a": "x"}, schema) or "")


def test_a_reference_to_nothing_is_the_callers_error() -> None:
    with pytest.raises(ConfigurationError, match="refers to something it does not define"):
        JsonSchemaCheck().errors({"a": 1}, {"$ref": "#/$defs/missing"})

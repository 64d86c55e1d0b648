"""Every code block of the plan, verbatim (plan_code.py), run with only outside help:
a namespace holding what the excerpt's file would have imported (typing, dataclasses,
every public name of cascadeflow and its plan modules) and the names its prose leaves
undefined (``models``, ``all_models``, ``user`` and the manual tier example's models),
with ``cascadeflow.testing.override`` giving every agent a fake provider and every
tracker an in-memory store. Two blocks cannot run as written in any Python, and the
test says so rather than editing them."""

from __future__ import annotations

import ast
import asyncio
import collections
import dataclasses
import inspect
import sys
import types
import typing
from typing import Any

import pytest

import cascadeflow
import cascadeflow.integrations
import cascadeflow.quality
import cascadeflow.routing
import cascadeflow.telemetry
from cascadeflow import ModelConfig
from cascadeflow.testing import FakeProvider, override

from .plan_code import BLOCKS

# Excerpts that are not Python as written: the test proves they fail, and how.
NOT_PYTHON = {
    910: (SyntaxError, "positional argument follows keyword argument"),  # ModelConfig(name=..., ...)
    1085: (Exception, "got Ellipsis"),  # ModelConfig(...) placeholders in the "before" half
}


def outside() -> dict[str, Any]:
    names: dict[str, Any] = {"__name__": "plan_example"}
    for module in (typing, dataclasses, collections, cascadeflow.integrations, cascadeflow.quality,
                   cascadeflow.routing, cascadeflow.telemetry, cascadeflow):
        names.update({n: getattr(module, n) for n in getattr(module, "__all__", dir(module))
                      if not n.startswith("_")})
    from cascadeflow.entrypoints.api.cascade_preset import CascadePreset

    models = [ModelConfig(name="gpt-4o-mini", provider="openai", cost=0.00015),
              ModelConfig(name="gpt-4o", provider="openai", cost=0.0025)]
    cheap, good, better, best, premium = (
        ModelConfig(name=n, cost=c) for n, c in (("llama-3.1-8b-instant", 0.00005), ("gpt-4o-mini", 0.00015),
                                                 ("claude-3-5-haiku", 0.0008), ("gpt-4o", 0.0025),
                                                 ("claude-sonnet-4", 0.009)))
    names.update(CascadePreset=CascadePreset, models=models, all_models=[cheap, good, better, best, premium],
                 user=type("User", (), {"tier": "pro"})(), cheap_model=cheap, good_model=good,
                 better_model=better, best_model=best, premium_model=premium)
    return names


async def run(line: int) -> dict[str, Any]:
    """The block as the body of a module of its own (dataclasses look their module up)."""
    module = types.ModuleType(f"plan_example_{line}")
    module.__dict__.update(outside())
    module.__dict__["__name__"] = module.__name__
    sys.modules[module.__name__] = module
    try:
        code = compile(BLOCKS[line], f"plan:{line}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        ran = eval(code, module.__dict__)
        if inspect.iscoroutine(ran):
            await ran
    finally:
        del sys.modules[module.__name__]
    return module.__dict__


@pytest.mark.parametrize("line", sorted(set(BLOCKS) - set(NOT_PYTHON)))
async def test_the_plans_block_runs_as_written(line: int) -> None:
    with override(provider=FakeProvider(default="A complete and correct answer."), store="memory"):
        await run(line)


@pytest.mark.parametrize("line", sorted(NOT_PYTHON))
async def test_the_excerpts_that_are_not_python_fail_as_they_must(line: int) -> None:
    kind, says = NOT_PYTHON[line]
    with override(provider=FakeProvider(default="x"), store="memory"), pytest.raises(kind, match=says):
        await run(line)

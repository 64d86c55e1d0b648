"""Every model a built-in preset may call is one LiteLLM can route and price (from its
bundled map, or from the price the preset gives it), and was not retired in that map
when the presets were last checked."""

from __future__ import annotations

from datetime import date

import pytest

from cascadeflow.adapters.litellm_loader import litellm_model_id, load_litellm
from cascadeflow.adapters.litellm_pricing import LiteLLMPricing
from cascadeflow.domain.models import ModelConfig
from cascadeflow.domain.strategies import resolve_model
from cascadeflow.domain.validators import JudgeValidator
from cascadeflow.utils.presets import MODEL_PRESETS
from cascadeflow.utils.presets_v2 import BUILTIN_PRESETS, CURRENT_NAMES, WHY_RENAMED

CHECKED_ON = date(2026, 11, 30)  # LiteLLM 1.110's price map


def preset_models() -> dict[str, ModelConfig]:
    found: dict[str, ModelConfig] = {}
    for preset in BUILTIN_PRESETS.values():
        known = {m.name: m for m in preset.models}
        found.update(known)
        for strategy in (preset.domain_strategies or {}).values():
            for step in strategy.steps:
                names = [step.model, step.fallback_model]
                if isinstance(step.validation, JudgeValidator):
                    names.append(step.validation.model_name)
                for name in filter(None, names):
                    found.setdefault(name, resolve_model(name, known, step.provider))
    for models in MODEL_PRESETS.values():
        found.update({m.name: m for m in models if m.provider != "ollama"})
    return found


@pytest.mark.parametrize("model", preset_models().values(), ids=list(preset_models()))
def test_litellm_can_call_and_price_it(model: ModelConfig) -> None:
    litellm = load_litellm()
    model_id = litellm_model_id(model.name, model.provider)
    _, provider, _, _ = litellm.get_llm_provider(model_id)
    assert provider == model.provider

    price = LiteLLMPricing().price(model)
    assert price.input > 0 and price.output > 0

    entry = litellm.model_cost.get(model_id) or litellm.model_cost.get(model.name)
    if entry is None or not entry.get("input_cost_per_token"):
        assert model.configured_price is not None, "LiteLLM's map does not price it: give it a cost"
    else:  # a declared price wins over the map: it must be the map's, input and output apart
        assert (price.input, price.output) == pytest.approx(
            (entry["input_cost_per_token"], entry["output_cost_per_token"]))
    retired = (entry or {}).get("deprecation_date")
    assert retired is None or date.fromisoformat(retired) > CHECKED_ON


def test_each_renamed_model_says_why() -> None:
    assert WHY_RENAMED.keys() == CURRENT_NAMES.keys()
    used = set(preset_models())
    assert not used & set(CURRENT_NAMES), "a preset still names a model the plan's names were replaced for"

"""The ``[preset]`` section of a config file: what a CascadePreset has beyond the
gateway's own settings, validated by pydantic (the gateway keeps it as plain data)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cascadeflow.entrypoints.rest.config import BudgetSettings, Usd


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class JudgeSettings(_Settings):
    judge: str = Field(min_length=1)  # the judge model
    criteria: str = Field(min_length=1)
    name: str = "llm_judge_validator"


class StepSettings(_Settings):
    model: str = Field(min_length=1)
    provider: str = "openai"
    validation: str | JudgeSettings | None = None  # a built-in validator's name, or a judge
    max_retries: int = Field(default=1, ge=0)
    fallback_model: str | None = None
    description: str = ""
    cost: Usd | None = None


class StrategySettings(_Settings):
    mode: Literal["cascade", "pipeline"] = "cascade"
    description: str = ""
    expected_cost_range: str = ""
    steps: list[StepSettings] = Field(min_length=1)


class PresetSettings(_Settings):
    name: str = Field(min_length=1)
    description: str = ""
    enable_cost_tracking: bool = True
    enable_cost_forecasting: bool = False
    quality_validation_mode: str = "fast"  # a quality preset, or a calibration file
    enable_ml_quality: bool = False
    enable_domain_routing: bool = False
    domain_strategies: dict[str, StrategySettings] | None = None
    enable_user_tiers: bool = False
    # files saved before tier budgets moved to [tiers.<t>.budget]; read, never written
    tier_budgets: dict[str, BudgetSettings] | None = None
    enable_multi_step_cascade: bool = False
    quality_scores: dict[str, float] = {}  # per model name, 0 to 1

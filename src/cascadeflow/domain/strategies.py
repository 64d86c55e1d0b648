"""Multi-step domain strategies: which models answer a domain's queries, in which
order, and how each step's answer is checked.

``mode="cascade"`` stops at the first step whose answer passes its validation;
``mode="pipeline"`` runs every step, each later step receiving the previous answer to
verify or refine. A step whose answer fails is retried ``max_retries`` times (told why
it failed), then its ``fallback_model`` is tried, before the strategy moves on.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.model_catalog import SEED_MODELS
from cascadeflow.domain.models import ModelConfig
from cascadeflow.domain.providers import canonical_provider
from cascadeflow.domain.validators.adapt import AdaptedValidator
from cascadeflow.domain.validators.judge import JudgeValidator

Mode = Literal["cascade", "pipeline"]
MODES: tuple[Mode, ...] = ("cascade", "pipeline")
StepValidation = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class CascadeStep:
    """One step: a model, how its answer is validated, and what to try when it fails.

    ``cost`` (USD per 1K tokens) prices ``model`` when the price map has no entry for it.
    ``validation`` is any validator (``(text, context)`` or ``(text)``, returning a
    ValidationResult, ``(passed, reason)`` or a bool) or an LLM judge; None accepts.
    """

    model: str
    provider: str = "openai"
    validation: StepValidation | None = None
    max_retries: int = 1
    fallback_model: str | None = None
    description: str = ""
    cost: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.model, str) or not self.model.strip():
            raise ConfigurationError(f"CascadeStep: model must be a model name, got {self.model!r}")
        object.__setattr__(self, "provider", canonical_provider(self.provider))
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int) or self.max_retries < 0:
            raise ConfigurationError(
                f"CascadeStep({self.model!r}): max_retries must be an integer >= 0, got {self.max_retries!r}"
            )
        if self.validation is not None and not callable(self.validation):
            raise ConfigurationError(
                f"CascadeStep({self.model!r}): validation must be callable, got {self.validation!r}"
            )

    @property
    def judge(self) -> JudgeValidator | None:
        return self.validation if isinstance(self.validation, JudgeValidator) else None

    def checker(self) -> AdaptedValidator | None:
        """The rule-based validation, adapted; None for no validation or a judge."""
        if self.validation is None or self.judge is not None:
            return None
        return AdaptedValidator(self.validation)


@dataclass(frozen=True, slots=True)
class DomainCascadeStrategy:
    """A domain's multi-step cascade (see the module docstring for ``mode``)."""

    domain: str
    steps: tuple[CascadeStep, ...]
    description: str = ""
    expected_cost_range: str = ""
    expected_steps: int | None = None
    mode: Mode = "cascade"

    def __post_init__(self) -> None:
        steps: Iterable[CascadeStep] = self.steps
        steps = tuple(steps)
        owner = f"DomainCascadeStrategy({self.domain!r})"
        if not steps or not all(isinstance(s, CascadeStep) for s in steps):
            raise ConfigurationError(f"{owner}: steps must be a non-empty list of CascadeStep")
        if self.mode not in MODES:
            raise ConfigurationError(f"{owner}: mode must be 'cascade' or 'pipeline', got {self.mode!r}")
        object.__setattr__(self, "steps", steps)
        if self.expected_steps is None:
            object.__setattr__(self, "expected_steps", len(steps))

    def model_names(self) -> tuple[str, ...]:
        names = [s.model for s in self.steps] + [s.fallback_model for s in self.steps if s.fallback_model]
        return tuple(dict.fromkeys(names))

    def restricted_to(self, allowed: Collection[str]) -> DomainCascadeStrategy | None:
        """Only the steps (and fallbacks) whose models are in ``allowed``; a step whose
        model is not allowed but whose fallback is runs on its fallback. None when no
        step is left."""
        kept: list[CascadeStep] = []
        for step in self.steps:
            fallback = step.fallback_model if step.fallback_model in allowed else None
            if step.model in allowed:
                kept.append(replace(step, fallback_model=fallback))
            elif fallback is not None:
                kept.append(replace(step, model=fallback, provider=_provider_of(fallback, step.provider),
                                    fallback_model=None, cost=None))
        return replace(self, steps=tuple(kept)) if kept else None


def _provider_of(name: str, default: str) -> str:
    known = SEED_MODELS.get(name)
    return known.provider if known else default


def resolve_model(
    name: str, known: Mapping[str, ModelConfig], provider: str | None = None, cost: float | None = None
) -> ModelConfig:
    """The ModelConfig a step's model name stands for: the user's own (by name) first,
    then the built-in catalogue, else one built from the step's provider and cost."""
    if name in known:
        return known[name]
    if name in SEED_MODELS:
        catalogued = SEED_MODELS[name]
        return catalogued if cost is None else replace(catalogued, cost=cost)
    return ModelConfig(name=name, provider=provider or _guess_provider(name), cost=cost)


_PREFIXES = (
    ("gpt", "openai"), ("o1", "openai"), ("o3", "openai"), ("o4", "openai"), ("claude", "anthropic"),
    ("gemini", "vertex_ai"), ("med-palm", "vertex_ai"), ("deepseek", "deepseek"),
    ("command", "cohere"), ("llama", "groq"), ("mixtral", "groq"),
)


def _guess_provider(name: str) -> str:
    lowered = name.lower()
    return next((p for prefix, p in _PREFIXES if lowered.startswith(prefix)), "openai")


@dataclass(frozen=True, slots=True)
class ResolvedStep:
    """A step with its models resolved to ModelConfigs, ready to run."""

    index: int
    step: CascadeStep
    model: ModelConfig
    fallback: ModelConfig | None
    checker: AdaptedValidator | None = field(default=None, compare=False)
    judge: JudgeValidator | None = None


def resolve_steps(strategy: DomainCascadeStrategy, known: Mapping[str, ModelConfig]) -> tuple[ResolvedStep, ...]:
    return tuple(
        ResolvedStep(
            index=i,
            step=step,
            model=resolve_model(step.model, known, step.provider, step.cost),
            fallback=resolve_model(step.fallback_model, known) if step.fallback_model else None,
            checker=step.checker(),
            judge=step.judge,
        )
        for i, step in enumerate(strategy.steps, start=1)
    )

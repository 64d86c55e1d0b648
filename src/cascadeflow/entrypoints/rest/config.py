"""The gateway's configuration: a TOML or YAML file validated by pydantic, or embedded
defaults built from the provider keys found in the environment.

Any string may say ``${NAME}`` to take a secret from the environment variable NAME.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from cascadeflow.domain.budgets import BudgetConfig
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.guardrails import Guardrails, deny_list, redact_pii
from cascadeflow.domain.models import ModelConfig
from cascadeflow.domain.providers import split_model_spec
from cascadeflow.domain.online_policy import OnlineSettings
from cascadeflow.domain.quality import QualityConfig
from cascadeflow.domain.quality_presets import ONLINE_MODE, ONLINE_QUALITY, quality_preset
from cascadeflow.domain.rate_limits import RateLimit

USER_ID = r"^[A-Za-z0-9_.@:+-]{1,128}$"
Usd = Annotated[float, Field(ge=0, allow_inf_nan=False)]
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelSettings(_Strict):
    name: str = Field(min_length=1)
    provider: str | None = None  # default: guessed from the name, as `cascadeflow run` does
    cost: Usd | None = None  # USD per 1K tokens, when LiteLLM's price map lacks the model
    input_cost_per_token: Usd | None = None
    output_cost_per_token: Usd | None = None
    max_tokens: int = Field(default=4096, gt=0)
    api_base: str | None = None
    api_key: SecretStr | None = None
    supports_logprobs: bool = False

    def to_model_config(self) -> ModelConfig:
        name, provider = split_model_spec(self.name) if self.provider is None else (self.name, self.provider)
        return ModelConfig(
            name=name, provider=provider, cost=self.cost,
            input_cost_per_token=self.input_cost_per_token,
            output_cost_per_token=self.output_cost_per_token, max_tokens=self.max_tokens,
            api_base=self.api_base, supports_logprobs=self.supports_logprobs,
            api_key=self.api_key.get_secret_value() if self.api_key else None,
        )


class BudgetSettings(_Strict):
    daily: Usd | None = None
    weekly: Usd | None = None
    monthly: Usd | None = None
    total: Usd | None = None

    def to_budget(self) -> BudgetConfig:
        return BudgetConfig(daily=self.daily, weekly=self.weekly, monthly=self.monthly, total=self.total)


class RateLimitSettings(_Strict):
    """Requests and tokens per minute (sliding window); an omitted one is unlimited."""

    requests_per_minute: int | None = Field(default=None, gt=0)
    tokens_per_minute: int | None = Field(default=None, gt=0)

    def to_rate_limit(self) -> RateLimit:
        return RateLimit(self.requests_per_minute, self.tokens_per_minute)


class GuardrailSettings(_Strict):
    """Checks on every request and answer: ``redact_pii`` names the kinds replaced by
    ``[redacted <kind>]`` (email, phone, card, iban); ``deny`` lists terms that block."""

    redact_pii: list[Literal["email", "phone", "card", "iban"]] = []
    deny: list[str] = []

    def to_guardrails(self) -> Guardrails | None:
        guards = ([redact_pii(tuple(self.redact_pii))] if self.redact_pii else []) + (
            [deny_list(self.deny)] if self.deny else [])
        return Guardrails(input=guards, output=guards) if guards else None


class UserSettings(_Strict):
    tier: str | None = None
    budget: BudgetSettings | None = None
    rate_limit: RateLimitSettings | None = None


class TierSettings(_Strict):
    models: list[str] | None = None  # None: every model; else only these may answer
    max_cost_per_query: float | None = Field(default=None, gt=0, allow_inf_nan=False)  # USD
    budget: BudgetSettings | None = None  # for each user of the tier without a budget of their own


class KeySettings(_Strict):
    """One API key: ``key`` in clear (usually ``${ENV_VAR}``) or ``sha256`` of it."""

    user: str = Field(pattern=USER_ID)
    role: Literal["user", "admin"] = "user"
    tier: str | None = None
    key: SecretStr | None = None
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    rate_limit: RateLimitSettings | None = None  # for this key, whoever it acts for

    @model_validator(mode="after")
    def _one_secret(self) -> KeySettings:
        if (self.key is None) == (self.sha256 is None):
            raise ValueError("give exactly one of `key` (the key itself) or `sha256` (its hash)")
        return self

    @property
    def digest(self) -> str:
        return self.sha256 or hash_key(self.key.get_secret_value() if self.key else "")


class ServerSettings(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=8084, ge=0, le=65535)
    workers: int = Field(default=1, ge=1)
    max_body_bytes: int = Field(default=1_048_576, gt=0)
    timeout: float = Field(default=60.0, gt=0)  # seconds per model call
    max_attempts: int = Field(default=3, ge=1)  # per model call, for rate limits and timeouts


class QualitySettings(_Strict):
    """``mode`` "online" (the default) learns which drafts to accept from agreement with
    the strongest model, holding ``target_quality``; a named preset (fast, balanced,
    strict, cost-optimized) or ``threshold`` applies fixed rules instead."""

    mode: str = "online"
    threshold: float | None = Field(default=None, ge=0, le=1)
    target_quality: float = Field(default=0.95, gt=0, le=1)
    confidence: float = Field(default=0.9, ge=0, lt=1)
    shadow_share: float = Field(default=0.1, ge=0, le=1)
    min_labels: int = Field(default=30, ge=0)
    domain_min_labels: int = Field(default=100, ge=0)  # 0: one plan for all domains
    draft_samples: int = Field(default=1, ge=1, le=2)  # 2: each draft asked twice (priced)
    learn_score: bool = False  # each route learns a draft score from its labels (opt-in)

    @model_validator(mode="after")
    def _mode_known(self) -> QualitySettings:
        if self.mode != ONLINE_MODE:
            quality_preset(self.mode)  # raises, naming the modes there are
        return self

    @property
    def online(self) -> bool:
        return self.mode == ONLINE_MODE and self.threshold is None

    def to_quality(self) -> QualityConfig:
        if self.threshold is not None:
            base = QualityConfig() if self.mode == ONLINE_MODE else quality_preset(self.mode)
            return base.with_threshold(self.threshold)
        return ONLINE_QUALITY if self.mode == ONLINE_MODE else quality_preset(self.mode)

    def to_online(self) -> OnlineSettings:
        return OnlineSettings(target_quality=self.target_quality, confidence=self.confidence,
                              shadow_share=self.shadow_share, min_labels=self.min_labels,
                              domain_min_labels=self.domain_min_labels, draft_samples=self.draft_samples,
                              learn_score=self.learn_score)


class GatewayConfig(_Strict):
    server: ServerSettings = ServerSettings()
    database_url: SecretStr | None = None  # None: CASCADEFLOW_DATABASE_URL or ./cascadeflow.db
    otel_endpoint: str | None = None
    models: list[ModelSettings] = Field(min_length=1)
    default_models: list[str] | None = None  # the `cascadeflow` virtual model; None: all
    presets: dict[str, list[str]] = {}
    domains: dict[str, list[str]] = {}  # models for `cascadeflow:<domain>`
    tiers: dict[str, TierSettings] = {}
    users: dict[str, UserSettings] = {}
    default_budget: BudgetSettings | None = None
    default_rate_limit: RateLimitSettings | None = None  # users without their own
    guardrails: GuardrailSettings = GuardrailSettings()
    keys: list[KeySettings] = []
    quality: QualitySettings = QualitySettings()
    # a CascadePreset's own settings, read by entrypoints/preset_files.py; not the gateway's
    preset: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _names_resolve(self) -> GatewayConfig:
        known = {m.name for m in self.models}
        lists = {"default_models": self.default_models or []}
        lists |= {f"presets.{k}": v for k, v in self.presets.items()}
        lists |= {f"domains.{k}": v for k, v in self.domains.items()}
        lists |= {f"tiers.{k}.models": t.models or [] for k, t in self.tiers.items()}
        for where, names in lists.items():
            if unknown := [n for n in names if n not in known]:
                raise ValueError(f"{where}: unknown model(s) {unknown}; models are {sorted(known)}")
        tiered = {f"users.{u}.tier": s.tier for u, s in self.users.items()}
        tiered |= {f"keys.{i}.tier": k.tier for i, k in enumerate(self.keys)}
        for where, tier in tiered.items():
            if tier is not None and self.tiers and tier not in self.tiers:
                raise ValueError(f"{where}: unknown tier {tier!r}; tiers are {sorted(self.tiers)}")
        self.tier_budgets()  # a saved preset's [preset] tier budgets must be valid too
        seen: dict[str, int] = {}
        for i, key in enumerate(self.keys):
            if (first := seen.setdefault(key.digest, i)) != i:
                raise ValueError(f"keys.{first} and keys.{i} are the same API key (users "
                                 f"{self.keys[first].user!r} and {key.user!r}): each key must be unique")
        return self

    def tier_budgets(self) -> dict[str, BudgetConfig]:
        """Each tier's budget: ``[tiers.<t>.budget]``, else the ``tier_budgets`` a saved
        preset keeps in its ``[preset]`` section, so that serving a preset enforces them."""
        saved = (self.preset or {}).get("tier_budgets") or {}
        if not isinstance(saved, dict):
            raise ValueError("preset.tier_budgets: must map tier names to budgets")
        budgets: dict[str, BudgetConfig] = {}
        for tier, raw in saved.items():
            try:
                budgets[str(tier)] = BudgetSettings.model_validate(raw).to_budget()
            except ValidationError as exc:
                raise ValueError(f"preset.tier_budgets.{tier}: {exc.errors()[0]['msg']}") from None
        budgets |= {t: s.budget.to_budget() for t, s in self.tiers.items() if s.budget is not None}
        return budgets


def hash_key(key: str) -> str:
    """How keys are stored: SHA-256 hex. API keys are long random strings, not
    passwords, so a fast hash resists guessing as well as a slow one would."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def load_config(path: Path, environ: Mapping[str, str] | None = None) -> GatewayConfig:
    """Read, expand ``${VAR}`` references and validate; errors name the field."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read the config file {path}: {exc.strerror or exc}") from exc
    raw = _parse(path, text)
    return parse_config(raw, environ if environ is not None else os.environ, source=str(path))


def parse_config(raw: Any, environ: Mapping[str, str], source: str = "config") -> GatewayConfig:
    try:
        return GatewayConfig.model_validate(_expand(raw, environ, ""))
    except ValidationError as exc:
        lines = [f"  {_where(e['loc']) or '(top level)'}: {e['msg']}" for e in exc.errors()]
        raise ConfigurationError(f"{source} is not a valid gateway config:\n" + "\n".join(lines)) from None


def _parse(path: Path, text: str) -> Any:
    try:
        if path.suffix.lower() == ".toml":
            return tomllib.loads(text)
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            return yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise ConfigurationError(f"{path} does not parse: {exc}") from exc
    except Exception as exc:  # yaml.YAMLError, kept lazy with the import
        raise ConfigurationError(f"{path} does not parse: {exc}") from exc
    raise ConfigurationError(f"{path}: name the config file *.toml, *.yaml or *.yml")


def _expand(value: Any, environ: Mapping[str, str], where: str) -> Any:
    if isinstance(value, dict):
        return {k: _expand(v, environ, f"{where}.{k}" if where else str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, environ, f"{where}.{i}") for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def lookup(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            raise ConfigurationError(f"{where}: refers to ${{{name}}}, which is not set in the environment")
        return environ[name]

    return _ENV_REF.sub(lookup, value)


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)

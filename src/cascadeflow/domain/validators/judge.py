"""LLM-judge validators: a judge model is asked for a strict verdict on an answer.

The judge is described here (model, criteria, prompt, parsing); the use-case that
runs a strategy makes the call through its provider port, prices it and counts it.
A verdict that cannot be parsed, or a judge that cannot be reached, fails closed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.messages import Message
from cascadeflow.domain.models import ModelConfig
from cascadeflow.domain.quality import ValidationContext, ValidationResult

_SYSTEM = (
    "You are a strict reviewer. Judge the answer against the criteria only. Reply in exactly "
    "this format and nothing else:\nVERDICT: PASS or FAIL\nSCORE: a number from 0 to 1\n"
    "REASON: one sentence"
)
_VERDICT = re.compile(r"^\W*verdict\W*[:=-]\s*\W*(pass|fail)\b", re.I | re.M)
_SCORE = re.compile(r"^\W*score\W*[:=-]\s*([01](?:\.\d+)?|\.\d+)\b", re.I | re.M)
_REASON = re.compile(r"^\W*reason\W*[:=-]\s*(.+)$", re.I | re.M)

GENERAL_CRITERIA = (
    "The answer is correct, complete, responds to the question asked, and contains no "
    "fabricated facts."
)
MEDICAL_FACT_CRITERIA = (
    "Every medical statement in the answer is factually correct and consistent with current "
    "clinical guidelines; nothing is invented (drugs, doses, studies, statistics); no "
    "clinically important fact that the question needs is missing or misstated."
)


@dataclass(frozen=True, slots=True)
class JudgeValidator:
    """Asks ``model`` whether an answer meets ``criteria``. Runs only inside a domain
    strategy, where the use-case supplies the provider; calling it directly raises."""

    model: str | ModelConfig
    criteria: str = GENERAL_CRITERIA
    name: str = "llm_judge_validator"
    provider: str | None = None
    max_tokens: int = 200

    def __post_init__(self) -> None:
        if not isinstance(self.model, (str, ModelConfig)) or not self.model:
            raise ConfigurationError(f"{self.name}: model must be a model name or ModelConfig, got {self.model!r}")
        if not self.criteria.strip():
            raise ConfigurationError(f"{self.name}: criteria must say what the judge checks")

    @property
    def model_name(self) -> str:
        return self.model.name if isinstance(self.model, ModelConfig) else self.model

    def using(self, model: str | ModelConfig) -> JudgeValidator:
        """The same judge with another judge model."""
        return JudgeValidator(model, self.criteria, self.name, None, self.max_tokens)

    def messages(self, text: str, context: ValidationContext) -> tuple[Message, ...]:
        question = context.query or "(not given)"
        return (
            Message("system", _SYSTEM),
            Message(
                "user",
                f"Criteria: {self.criteria}\n\nQuestion:\n{question}\n\nAnswer to judge:\n{text}",
            ),
        )

    def parse(self, reply: str) -> ValidationResult:
        """The judge's verdict; anything but exactly one PASS or FAIL fails closed."""
        verdict = _from_json(reply) or _from_lines(reply)
        if verdict is None:
            return ValidationResult(False, 0.0, f"unparseable judge verdict: {reply.strip()[:120]!r}")
        return verdict

    def __call__(self, text: str, context: ValidationContext | None = None) -> ValidationResult:
        raise ConfigurationError(
            f"{self.name} asks a judge model and needs a provider: use it as the validation of "
            "a CascadeStep run by CascadeAgent(enable_multi_step_cascade=True)"
        )


def _from_lines(reply: str) -> ValidationResult | None:
    verdicts = {v.lower() for v in _VERDICT.findall(reply)}
    if len(verdicts) != 1:
        return None
    passed = verdicts == {"pass"}
    score_match = _SCORE.search(reply)
    score = float(score_match.group(1)) if score_match else (1.0 if passed else 0.0)
    reason_match = _REASON.search(reply)
    reason = reason_match.group(1).strip() if reason_match else "no reason given"
    return ValidationResult(passed, min(max(score, 0.0), 1.0), f"judge: {reason}")


def _from_json(reply: str) -> ValidationResult | None:
    start, end = reply.find("{"), reply.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        data = json.loads(reply[start:end + 1])
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    verdict = str(data.get("verdict", "")).strip().lower()
    if verdict not in ("pass", "fail"):
        return None
    raw_score = data.get("score")
    score = float(raw_score) if isinstance(raw_score, (int, float)) and not isinstance(raw_score, bool) \
        else (1.0 if verdict == "pass" else 0.0)
    reason = str(data.get("reason") or "no reason given")
    return ValidationResult(verdict == "pass", min(max(score, 0.0), 1.0), f"judge: {reason}")


def llm_judge_validator(
    model: str | ModelConfig, criteria: str = GENERAL_CRITERIA, *, name: str = "llm_judge_validator",
    provider: str | None = None,
) -> JudgeValidator:
    """A judge validator: ``llm_judge_validator("gpt-4o-mini", criteria="...")``."""
    return JudgeValidator(model, criteria, name, provider)


medical_fact_checker = JudgeValidator("gpt-4o-mini", MEDICAL_FACT_CRITERIA, "medical_fact_checker")

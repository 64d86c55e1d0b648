"""What a strategy step is sent (the question, a review of the previous answer, or a
retry told why it failed) and how its answer is checked."""

from __future__ import annotations

from dataclasses import replace

from cascadeflow.application.ports import Validator
from cascadeflow.domain.messages import Message
from cascadeflow.domain.quality import ValidationContext, ValidationResult
from cascadeflow.domain.validators.adapt import AdaptedValidator

REVIEW_PROMPT = (
    "Review the answer above to the question before it: check every statement, correct what "
    "is wrong and add what is missing{focus}. Reply with the complete, improved answer only."
)
RETRY_PROMPT = "That answer was rejected: {reason}. Answer the question again, fixing this."


class StepCheck(Validator):
    """A step's rule-based validation behind the Validator port. Validators see the
    user's question, not the review or retry prompt the step model was sent."""

    def __init__(self, checker: AdaptedValidator | None, query: str, domain: str) -> None:
        self._checker = checker
        self._query = query
        self._domain = domain

    def validate(self, text: str, context: ValidationContext) -> ValidationResult:
        if self._checker is None:
            return ValidationResult(True, 1.0, "no validation")
        return self._checker(text, replace(context, query=self._query, domain=self._domain))


def question_of(messages: tuple[Message, ...]) -> str:
    """The last user message: what validators and detectors judge."""
    return next((m.text for m in reversed(messages) if m.role == "user"), messages[-1].text)


def review_prompt(messages: tuple[Message, ...], previous: str, description: str) -> tuple[Message, ...]:
    """A pipeline step after the first reviews the last accepted answer."""
    focus = f" (your role: {description})" if description else ""
    return (*messages, Message("assistant", previous), Message("user", REVIEW_PROMPT.format(focus=focus)))


def retry_prompt(prompt: tuple[Message, ...], rejected: str, reason: str) -> tuple[Message, ...]:
    """A retry sees its rejected answer and why it was rejected."""
    return (*prompt, Message("assistant", rejected), Message("user", RETRY_PROMPT.format(reason=reason)))

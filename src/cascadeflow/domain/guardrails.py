"""Guardrails: checks run on what goes to the models (the request's user-written text)
and on what comes back (the answer), each deciding to let it pass, redact it or block
the request.

    guards = Guardrails(input=[redact_pii(), deny_list(["password dump"])],
                        output=[redact_pii(("email",))])
    agent = CascadeAgent(models, guardrails=guards)

Built in: ``redact_pii`` (emails, phone numbers, card numbers passing the Luhn check,
IBANs), ``deny_list`` (words or patterns that block, or are redacted), and ``check`` for
a function of your own. A blocked request raises GuardrailBlockedError (a 400 at the
gateway) before any model is called; a blocked answer raises it after (the calls made
are paid for and recorded).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from cascadeflow.domain.errors import CascadeflowError, ConfigurationError

Action = Literal["block", "redact"]
REDACTED = "[redacted {kind}]"


class GuardrailBlockedError(CascadeflowError):
    """A guardrail blocked the request (``stage`` "input") or its answer ("output")."""

    def __init__(self, message: str, guard: str, stage: str) -> None:
        super().__init__(message)
        self.guard = guard
        self.stage = stage


@dataclass(frozen=True, slots=True)
class Verdict:
    """``text`` is what passes on (redacted, when it was); ``blocked`` says why not."""

    text: str
    blocked: str | None = None
    redacted: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Guardrail:
    """One check: ``apply(text)`` gives its verdict. Built by the functions below."""

    name: str
    apply: Callable[[str], Verdict]


_PII: dict[str, re.Pattern[str]] = {
    "email": re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b"),
    "card": re.compile(r"\b(?:\d[ -]?){13,19}\b"),
    "iban": re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b"),
    "phone": re.compile(r"(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,4}){2,4}(?![\w-])"),
}
PII_KINDS = tuple(_PII)


def _luhn(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _plausible(kind: str, found: str) -> bool:
    """Filters a pattern cannot express: a card passes the Luhn check; a phone number
    has 9 to 15 digits and is no ISO date."""
    digits = re.sub(r"\D", "", found)
    if kind == "card":
        return _luhn(digits)
    if kind == "phone":
        return 9 <= len(digits) <= 15 and not _DATE.fullmatch(found.strip())
    return True


def redact_pii(kinds: Sequence[str] = PII_KINDS, action: Action = "redact") -> Guardrail:
    """Emails, phone numbers, card numbers (Luhn-valid) and IBANs, replaced by
    ``[redacted <kind>]`` (or blocking, with ``action="block"``)."""
    unknown = [k for k in kinds if k not in _PII]
    if unknown:
        raise ConfigurationError(f"redact_pii: unknown kind(s) {unknown}; kinds are {list(PII_KINDS)}")
    _check_action(action)

    def apply(text: str) -> Verdict:
        found: list[str] = []
        for kind in kinds:  # cards before phones: a card number also looks like a phone number
            def replace(match: re.Match[str], kind: str = kind) -> str:
                if not _plausible(kind, match.group(0)):
                    return match.group(0)
                found.append(kind)
                return REDACTED.format(kind=kind)
            text = _PII[kind].sub(replace, text)
        if found and action == "block":
            return Verdict(text, blocked=f"it holds personal data ({', '.join(sorted(set(found)))})")
        return Verdict(text, redacted=tuple(found))

    return Guardrail("pii", apply)


def deny_list(terms: Iterable[str], action: Action = "block", *, regex: bool = False) -> Guardrail:
    """Words or phrases (whole words, any case; or patterns with ``regex=True``) that
    block the request, or are redacted."""
    patterns = [t if regex else rf"\b{re.escape(t)}\b" for t in terms]
    if not patterns:
        raise ConfigurationError("deny_list needs at least one term")
    _check_action(action)
    try:
        denied = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    except re.error as exc:
        raise ConfigurationError(f"deny_list: a pattern does not compile: {exc}") from None

    def apply(text: str) -> Verdict:
        hit = denied.search(text)
        if hit is None:
            return Verdict(text)
        if action == "block":
            return Verdict(text, blocked=f"it contains a denied term ({hit.group(0)!r})")
        return Verdict(denied.sub(REDACTED.format(kind="term"), text), redacted=("term",))

    return Guardrail("deny_list", apply)


def check(fn: Callable[[str], bool | str | None], name: str | None = None) -> Guardrail:
    """Your own check: ``fn(text)`` returns True or None to let the text pass, False or
    a reason (str) to block it."""
    label = name or str(getattr(fn, "__name__", "check"))

    def apply(text: str) -> Verdict:
        said = fn(text)
        if said is True or said is None:
            return Verdict(text)
        return Verdict(text, blocked=said if isinstance(said, str) else f"{label} refused it")

    return Guardrail(label, apply)


@dataclass(frozen=True, slots=True)
class Guardrails:
    """Checks on the request (``input``: the text of user and tool messages) and on the
    answer (``output``), each list run in order."""

    input: Sequence[Guardrail] = field(default_factory=tuple)
    output: Sequence[Guardrail] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for stage in ("input", "output"):
            guards = tuple(getattr(self, stage))
            if not all(isinstance(g, Guardrail) for g in guards):
                raise ConfigurationError(f"Guardrails.{stage} takes guardrails (redact_pii(), "
                                         f"deny_list(...), check(fn)), got {guards!r}")
            object.__setattr__(self, stage, guards)

    def screen(self, text: str, stage: Literal["input", "output"]) -> Verdict:
        """All of a stage's guardrails on ``text``: the first block stops; redactions add up."""
        redacted: list[str] = []
        for guard in getattr(self, stage):
            verdict = guard.apply(text)
            if verdict.blocked is not None:
                raise GuardrailBlockedError(
                    f"the {'request' if stage == 'input' else 'answer'} was blocked by the {guard.name} "
                    f"guardrail: {verdict.blocked}", guard.name, stage)
            text = verdict.text
            redacted.extend(verdict.redacted)
        return Verdict(text, redacted=tuple(redacted))


def _check_action(action: str) -> None:
    if action not in ("block", "redact"):
        raise ConfigurationError(f"a guardrail's action is 'block' or 'redact', got {action!r}")

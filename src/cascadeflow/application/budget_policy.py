"""Who may spend how much, and the decision made once per request before any call."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta

from cascadeflow.domain.budgets import BudgetConfig, ScopeUsage, Window
from cascadeflow.domain.enforcement import BudgetAction, EnforcementContext
from cascadeflow.domain.messages import Message
from cascadeflow.domain.models import ModelConfig
from cascadeflow.domain.retry import RetryPolicy

ANONYMOUS = "anonymous"


@dataclass(frozen=True, slots=True)
class BudgetPolicy:
    """Who may spend how much: a user's own budget, else their tier's (``tier_budgets``,
    for requests that name a tier), else ``default_budget``."""

    user_budgets: Mapping[str, BudgetConfig] = field(default_factory=dict)
    default_budget: BudgetConfig | None = None
    global_budget: BudgetConfig | None = None
    warn_threshold: float | None = None  # None: the enforcement's own level
    # the longest a reservation may live: its call's deadline (see ``outliving``)
    reservation_ttl: timedelta = timedelta(minutes=10)
    tier_budgets: Mapping[str, BudgetConfig] = field(default_factory=dict)
    # a reservation is held for this long at a time and renewed by its process while
    # the call runs: a killed process's holds lapse within one lease
    reservation_lease: timedelta = timedelta(seconds=20)

    def limits_for(self, user_id: str | None, tier: str | None = None) -> Mapping[Window, float]:
        """A user's own limits. Anonymous calls have none: spend without a user can't
        be told apart per caller, so only the global budget covers it."""
        if user_id is None:
            return {}
        return self.limits_with(self.user_budgets.get(user_id), tier)

    def limits_with(self, budget: BudgetConfig | None, tier: str | None) -> Mapping[Window, float]:
        """The limits of a user whose own budget is ``budget`` (looked up by the caller)."""
        if budget is None and tier is not None:
            budget = self.tier_budgets.get(tier)
        budget = budget if budget is not None else self.default_budget
        return budget.limits if budget is not None else {}

    def outliving(self, timeout: float, retry: RetryPolicy) -> BudgetPolicy:
        """This policy with a reservation TTL longer than the slowest call can take
        (every attempt timing out, plus the backoff between them), so a reservation
        never expires under a call that is still running."""
        slowest = timeout * retry.max_attempts + sum(
            retry.delay(attempt) for attempt in range(1, retry.max_attempts)
        )
        ttl = max(self.reservation_ttl, timedelta(seconds=slowest + 60))
        return replace(self, reservation_ttl=ttl)

    @property
    def global_limits(self) -> Mapping[Window, float]:
        return self.global_budget.limits if self.global_budget is not None else {}


@dataclass(frozen=True, slots=True)
class Admission:
    """A request's budget decision, made once before its first model call: a strategy
    passes it to every step and judge call, which then only reserve and commit."""

    models: tuple[ModelConfig, ...]
    action: BudgetAction
    message: str | None
    context: EnforcementContext | None
    # the user's limits as looked up for this decision: the request's reservations
    # reuse them instead of reading a stored budget again (None: look them up)
    limits: Mapping[Window, float] | None = None
    # where the user stood when it was made (None without limits of the user's own)
    usage: ScopeUsage | None = None

    def left_after(self, cost: float) -> tuple[str, float] | None:
        """The user's window with the least left once ``cost`` is spent, and how much:
        as of this decision (other requests may spend meanwhile)."""
        if not self.limits or self.usage is None:
            return None
        usage = self.usage
        left = {w: limit - usage.spent[w] - usage.held - cost for w, limit in self.limits.items()}
        window = min(left, key=lambda w: left[w])
        return window.value, max(left[window], 0.0)


# Tokens an image, audio or file part may take beyond its own bytes (a URL is short, the
# picture behind it is not): OpenAI bills a high-detail image at up to ~1,500 tokens.
PART_ALLOWANCE = 2_000


_last_bound: tuple[tuple[Message, ...], int] | None = None


def max_input_tokens(messages: Sequence[Message]) -> int:
    """An upper bound on prompt tokens: every token is at least one byte of UTF-8, plus
    the chat template's few tokens per message and PART_ALLOWANCE per non-text part.
    Pessimistic on purpose: the reservation must never be smaller than the call.

    A request's messages are bounded once: the last tuple seen is remembered (and kept
    alive, so its identity cannot be reused) for the estimates that follow."""
    global _last_bound
    last = _last_bound
    if last is not None and last[0] is messages:
        return last[1]
    bound = sum(_message_bound(m) for m in messages) + 3
    if type(messages) is tuple:  # immutable: safe to remember by identity
        _last_bound = (messages, bound)
    return bound


def _message_bound(message: Message) -> int:
    """Every byte the message sends (its text, parts, tool calls, ids and other fields),
    plus PART_ALLOWANCE per part that is not text."""
    content = message.content
    if (isinstance(content, str) and message.name is None and not message.tool_calls
            and message.tool_call_id is None and not message.extra):
        # the same bytes as the JSON of {"role": ..., "content": ...}, without building it
        return len(json.dumps(content, ensure_ascii=False).encode("utf-8")) + len(message.role) + 29
    size = len(json.dumps(message.to_openai(), ensure_ascii=False, default=str).encode("utf-8"))
    pictures = 0 if isinstance(content, str) or content is None else sum(
        1 for part in content if part.get("type") != "text")
    return size + pictures * PART_ALLOWANCE + 4

"""The ports the use-cases own. Adapters and fakes subclass them explicitly."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from cascadeflow.domain.budgets import (
    BudgetConfig,
    CostEntry,
    Reservation,
    ReservationRequest,
    ScopeUsage,
)
from cascadeflow.domain.messages import Completion, CompletionRequest, StreamEvent
from cascadeflow.domain.models import ModelConfig, TokenPrice
from cascadeflow.domain.online_evidence import Observation, RouteEvidence, Sample
from cascadeflow.domain.online_policy import AcceptancePlan
from cascadeflow.domain.quality import ValidationContext, ValidationResult
from cascadeflow.domain.rate_limits import RateLimit
from cascadeflow.domain.results import CascadeResult


class CompletionProvider(Protocol):
    """Calls a model. Raises ProviderError subclasses, never library exceptions."""

    @abstractmethod
    async def complete(self, request: CompletionRequest) -> Completion: ...

    @abstractmethod
    def stream(self, request: CompletionRequest) -> AsyncIterator[StreamEvent]:
        """Text deltas as they arrive; the last event carries the whole Completion."""


class PricingCatalog(Protocol):
    @abstractmethod
    def price(self, model: ModelConfig) -> TokenPrice:
        """USD per input and output token; UnknownModelPriceError when nobody knows."""


class Clock(Protocol):
    @abstractmethod
    def now(self) -> datetime:
        """Timezone-aware UTC wall time."""

    @abstractmethod
    def monotonic(self) -> float:
        """Seconds on a clock that never goes back, for durations."""

    @abstractmethod
    async def sleep(self, seconds: float) -> None: ...


class IdGenerator(Protocol):
    @abstractmethod
    def new_id(self) -> str: ...


class RateLimitStore(Protocol):
    """Per-minute counters of requests and tokens, shared by every process using the
    store. ``take`` is atomic against every other caller."""

    @abstractmethod
    def take(self, scopes: Sequence[tuple[str, RateLimit]], at: datetime, requests: int,
             tokens: int) -> tuple[float, str, str] | None:
        """Count ``requests`` and ``tokens`` for every scope if they fit every scope's
        limit; else count nothing and return (seconds to wait, the scope, what binds)."""

    @abstractmethod
    def add_tokens(self, scopes: Sequence[str], at: datetime, tokens: int) -> None:
        """Add ``tokens`` to each scope's count for ``at``'s minute: a request's tokens
        known after the fact, or (negative) a correction of its prompt's bound; a
        minute's count never goes below zero."""


class SchemaCheck(Protocol):
    """JSON Schema, for tool arguments and structured answers the caller asked for."""

    @abstractmethod
    def errors(self, instance: Any, schema: Mapping[str, Any]) -> str | None:
        """Why ``instance`` breaks ``schema`` (the first problem, briefly); None when it
        follows it."""

    @abstractmethod
    def check_schema(self, schema: Mapping[str, Any], where: str) -> None:
        """ConfigurationError naming ``where`` when ``schema`` is no valid JSON Schema."""


class Validator(Protocol):
    """Decides whether an answer is good enough to stop the cascade."""

    @abstractmethod
    def validate(self, text: str, context: ValidationContext) -> ValidationResult: ...


class WouldBlock(Exception):
    """Raised by a store call that would have had to wait and so did nothing: one made
    with ``attempt_inline()`` (for a lock another process holds), or an asynchronous one
    with no free connection. Run it again where waiting is harmless (a worker thread)."""


class UsageStore(Protocol):
    """Durable cost entries and atomic budget reservations.

    ``reserve`` is atomic against every other caller, in this process or another one
    sharing the store: two racing requests can never both spend the last dollar.
    Reservations not committed or released by ``expires_at`` stop counting.
    """

    @abstractmethod
    def reserve(self, request: ReservationRequest) -> Reservation | None:
        """The reservation, or None when it does not fit a limit."""

    @abstractmethod
    def reserve_and_read(
        self, request: ReservationRequest
    ) -> tuple[Reservation | None, ScopeUsage, ScopeUsage]:
        """``reserve``, with where the user and all users stood when it was decided
        (before this reservation): a budget decision and its first reservation in one
        transaction."""

    @abstractmethod
    def commit(self, reservation_id: str, entry: CostEntry) -> bool:
        """Store the real cost and drop the reservation. A second commit of the same
        reservation (or entry id) stores nothing and returns False."""

    @abstractmethod
    def release(self, reservation_id: str) -> None:
        """Drop a reservation without spending (the call failed or was never made)."""

    @abstractmethod
    def renew(self, reservation_ids: Sequence[str], expires_at: datetime) -> None:
        """Extend live reservations to ``expires_at`` (never shorten one); ids that are
        gone (committed, released, expired and pruned) are ignored."""

    @abstractmethod
    def record(self, entry: CostEntry) -> bool:
        """Store a cost entry that had no reservation; False if its id is already stored."""

    @abstractmethod
    def spent(self, user_id: str | None, since: datetime | None) -> float:
        """Committed cost since ``since`` (None: all time) for a user, or all users."""

    @abstractmethod
    def reserved(self, user_id: str | None, now: datetime) -> float:
        """Amount held by live (unexpired) reservations."""

    @abstractmethod
    def count(self, user_id: str | None) -> int:
        """How many entries are stored for a user (None: for everyone)."""

    @abstractmethod
    def usage(self, user_ids: Sequence[str | None], now: datetime) -> list[ScopeUsage]:
        """Where each user (None: all users) stands at ``now``, read together in one
        consistent snapshot: what a budget check needs, in one round trip."""

    @abstractmethod
    def entries(
        self, user_id: str | None = None, since: datetime | None = None
    ) -> list[CostEntry]:
        """Stored entries, oldest first, optionally for one user and from a time on."""

    def async_calls(self) -> AsyncUsageCalls | None:
        """The hot calls as coroutines that wait on the event loop (a database with an
        asynchronous driver), or None: the caller runs the blocking ones off the loop."""
        return None


class AsyncUsageCalls(Protocol):
    """A UsageStore's budget calls as coroutines, with the same meaning. One that raises
    WouldBlock did nothing: the caller runs the blocking call instead."""

    async def reserve_and_read(
        self, request: ReservationRequest
    ) -> tuple[Reservation | None, ScopeUsage, ScopeUsage]: ...

    async def reserve_with_stored_budget(
        self, request: ReservationRequest
    ) -> tuple[Reservation | None, ScopeUsage, ScopeUsage, BudgetConfig | None]:
        """``reserve_and_read`` for ``request.user_id``, whose budget stored in the same
        database (BudgetStore.put), when there is one, replaces ``request.limits``; and
        that stored budget. One round trip where a separate read would take two."""
        ...

    async def reserve(self, request: ReservationRequest) -> Reservation | None: ...

    async def commit(self, reservation_id: str, entry: CostEntry) -> bool: ...

    async def release(self, reservation_id: str) -> None: ...


class BudgetStore(Protocol):
    """Per-user budgets set at run time (the gateway's PUT /v1/budgets), shared by every
    process that opens the same store."""

    @abstractmethod
    def get(self, user_id: str) -> BudgetConfig | None:
        """The user's stored budget, or None when none was ever set."""

    @abstractmethod
    def put(self, user_id: str, budget: BudgetConfig) -> None:
        """Set (or replace) the user's budget."""

    @abstractmethod
    def all(self) -> dict[str, BudgetConfig]:
        """Every stored budget by user id."""

    def shares_database_with(self, usage: UsageStore) -> bool:
        """Whether this store's budgets live in ``usage``'s database, where its
        ``reserve_with_stored_budget`` reads them: False unless known."""
        return False

    async def get_async(self, user_id: str) -> BudgetConfig | None:
        """``get`` waiting on the event loop; WouldBlock, having done nothing, where the
        store has no asynchronous driver or no free connection."""
        raise WouldBlock("this budget store has no asynchronous reads")


class Telemetry(Protocol):
    """Records finished cascades as traces and metrics (OpenTelemetry or anything else).

    Called after the answer is known, never on the request's critical path; an
    implementation must not raise into the caller.
    """

    @abstractmethod
    def record_cascade(self, result: CascadeResult, *, tier: str | None = None) -> None:
        """One finished cascade: a span with a child per model call, and its metrics."""

    @abstractmethod
    def record_blocked(
        self, *, user_id: str | None, domain: str | None = None, tier: str | None = None
    ) -> None:
        """A request the budget blocked before any model was called."""

    @abstractmethod
    def flush(self) -> None:
        """Send everything buffered now (short scripts, tests, shutdown)."""


class Chance(Protocol):
    """Uniform draws in [0, 1) for the online policy's random choices. ``key`` names the
    query and the choice: a replay draws from a hash of it (the same trace, the same
    decisions), live traffic from a random generator."""

    @abstractmethod
    def uniform(self, key: str) -> float: ...


class CalibrationStore(Protocol):
    """Online calibration's evidence and fitted plans, per route, shared by every process
    that opens the same store (gateway replicas), kept across restarts."""

    @abstractmethod
    def record(self, route: str, bins: int, observations: Sequence[Observation]) -> None:
        """Add what some queries taught this route (counts add up, atomically)."""

    @abstractmethod
    def evidence(self, route: str, bins: int) -> RouteEvidence:
        """Everything recorded for the route (empty when nothing was)."""

    @abstractmethod
    def samples(self, route: str, after: int, limit: int) -> list[tuple[int, Sample]]:
        """The route's drafts' samples (recorded with their observations) whose sequence
        number is above ``after``, oldest first: at most the newest ``limit``. Sequence
        numbers grow with every sample the store records."""

    @abstractmethod
    def save_plan(self, route: str, plan: AcceptancePlan) -> None:
        """The plan last fitted for the route, for status reports."""

    @abstractmethod
    def plans(self) -> dict[str, AcceptancePlan]:
        """The last fitted plan of every route."""

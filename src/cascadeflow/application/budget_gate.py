"""Budgets enforced before money is spent: admit a request, then reserve, commit or
release each model call against the UsageStore."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
import asyncio
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

from cascadeflow.application.budget_policy import (
    ANONYMOUS as ANONYMOUS,
    Admission as Admission,
    BudgetPolicy as BudgetPolicy,
    max_input_tokens as max_input_tokens,
)
from cascadeflow.application.live_budgets import LiveBudgets
from cascadeflow.application.budget_standing import (
    GLOBAL,
    Standing,
    budget_name,
    enforcement_context,
    standings_from,
)
from cascadeflow.application.ports import (
    AsyncUsageCalls,
    Clock,
    IdGenerator,
    PricingCatalog,
    UsageStore,
    WouldBlock,
)
from cascadeflow.domain.budgets import CostEntry, Reservation, ReservationRequest, ScopeUsage, Window
from cascadeflow.domain.enforcement import (
    BudgetAction,
    EnforcementCallbacks,
    EnforcementContext,
    parse_action,
)
from cascadeflow.domain.errors import BudgetExceededError
from cascadeflow.domain.messages import Completion, Message
from cascadeflow.domain.models import ModelConfig, call_max_tokens

if TYPE_CHECKING:
    from cascadeflow.application.run_cascade import CascadeRequest

log = logging.getLogger("cascadeflow.budget")
T = TypeVar("T")


class _MustWait(Enum):
    MUST_WAIT = "must wait"


MUST_WAIT = _MustWait.MUST_WAIT


def run_if_quick(store: UsageStore, call: Callable[[], T]) -> T | _MustWait:
    """Run a store call here if it cannot stall: the store never waits (in memory), or
    it can refuse to (``attempt_inline``: SQLite fails at once rather than wait for
    another writer's lock). MUST_WAIT when it has to run where waiting is harmless."""
    if not getattr(store, "blocking", True):
        return call()
    attempt = getattr(store, "attempt_inline", None)
    inline = attempt() if attempt is not None else None
    if inline is None:
        return MUST_WAIT
    try:
        with inline:
            return call()
    except WouldBlock:  # another process holds the write lock: nothing was done
        return MUST_WAIT


@dataclass(frozen=True, slots=True)
class _Decided:
    """A budget decision and what becomes of the reservation made with it."""

    admission: Admission | None
    reservation: Reservation | None  # kept for the first call
    release: Reservation | None  # made, but not wanted: to be released
    refused: bool  # the store found that the first call does not fit
    blocked: BaseException | None  # raised once the reservation is released


def _undo_result(undo: Callable[[T], object], done: Future[T]) -> None:
    if not done.cancelled() and done.exception() is None:
        _undo(undo, done.result())


def _undo(undo: Callable[[T], object], result: T) -> None:
    try:
        undo(result)
    except Exception:  # the store is down: the hold lapses with its lease
        log.warning("could not undo an abandoned budget call", exc_info=True)


class BudgetGate:
    def __init__(
        self,
        store: UsageStore,
        clock: Clock,
        ids: IdGenerator,
        pricing: PricingCatalog,
        policy: BudgetPolicy,
        enforcement: EnforcementCallbacks,
    ) -> None:
        self.store = store
        self._clock = clock
        self._ids = ids
        self._pricing = pricing
        self.policy = policy
        self._enforcement = enforcement
        self._pool: ThreadPoolExecutor | None = None
        # reservations this gate holds, with their call's deadline; renewed by a thread
        # that runs while there are any, so they lapse within a lease if the process dies
        self._held: dict[str, datetime] = {}
        self._held_lock = threading.Lock()
        self._renewer: threading.Thread | None = None
        self._tasks: set[asyncio.Future[Any]] = set()  # asynchronous store calls running
        self._shares_database: dict[int, bool] = {}  # by budget store: its budgets are ours

    async def off_loop(self, fn: Callable[..., T], *args: Any,
                       undo: Callable[[T], object] | None = None) -> T:
        """Run a store call without stalling the event loop. On the loop itself when the
        store never waits (in memory), or when it can refuse to (``attempt_inline``:
        SQLite fails at once instead of waiting for another writer's lock), since a
        thread hop costs more than such a call; else, and for a call that would wait, on
        the gate's own threads. Not the loop's default executor: calls waiting on a
        database lock there would starve its other users (address lookups for new
        upstream connections among them).

        ``undo`` is applied to the result of a call its caller stopped waiting for
        (cancelled while the thread ran it): a reservation nobody will use is released
        rather than held to its deadline."""
        done = run_if_quick(self.store, partial(fn, *args))
        if done is not MUST_WAIT:
            return done
        running = self._threads().submit(partial(fn, *args))
        try:
            return await asyncio.wrap_future(running)
        except asyncio.CancelledError:
            if undo is not None:
                running.add_done_callback(partial(_undo_result, undo))
            raise

    def _threads(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="cascadeflow-budget")
        return self._pool

    def estimate(self, model: ModelConfig, messages: Sequence[Message], max_tokens: int) -> float:
        return self._pricing.price(model).cost(max_input_tokens(messages), max_tokens)

    def context(
        self, user_id: str | None, current_cost: float, tier: str | None = None
    ) -> EnforcementContext | None:
        """The state of the limit with the least left, over the user's own limits and
        the global ones (all users together); None when neither has any."""
        found = self._standings(user_id, tier)
        if not found:
            return None
        binding = min(found, key=Standing.sort_key)
        return enforcement_context(binding, user_id, current_cost, tier)

    def _standings(self, user_id: str | None, tier: str | None) -> list[Standing]:
        read = self._read(user_id, self.policy.limits_for(user_id, tier))
        return read[0] if read is not None else []

    def _read(self, user_id: str | None, limits: Mapping[Window, float]
              ) -> tuple[list[Standing], ScopeUsage] | None:
        """Every limit of the user's and the global ones, and where the user stands, read
        from the store in one go; None when there is no limit to read."""
        if not limits and not self.policy.global_limits:
            return None
        usage, everyone = self.store.usage([user_id, None], self._clock.now())  # None: all users
        return standings_from(user_id, limits, self.policy.global_limits, usage, everyone), usage

    def admit(
        self, user_id: str | None, models: Sequence[ModelConfig], messages: Sequence[Message],
        max_tokens: int | None, tier: str | None = None,
    ) -> Admission:
        """Decide before any model is called; BudgetExceededError when blocked."""
        limits = self.policy.limits_for(user_id, tier)  # a stored budget: read once
        read = self._read(user_id, limits)
        if read is None:
            return Admission(tuple(models), BudgetAction.ALLOW, None, None, limits)
        found, usage = read
        return self._admission(user_id, models, messages, max_tokens, tier, limits, found, usage)

    def admit_and_reserve(
        self, user_id: str | None, models: Sequence[ModelConfig], messages: Sequence[Message],
        max_tokens: int | None, tier: str | None, call: ModelConfig,
        call_messages: Sequence[Message], call_max_tokens: int,
    ) -> tuple[Admission, Reservation | None]:
        """``admit``, and the reservation of the request's first call (``call``), from
        one read of where the user stands, in the reservation's own transaction. When
        the decision narrows the models, or blocks, the reservation is released."""
        limits = self.policy.limits_for(user_id, tier)
        if not limits and not self.policy.global_limits:
            return Admission(tuple(models), BudgetAction.ALLOW, None, None, limits), None
        request = self._request(user_id, call, call_messages, call_max_tokens, limits, self._clock.now())
        reservation, usage, everyone = self.store.reserve_and_read(request)
        decided = self._decide(user_id, models, messages, max_tokens, tier, limits, reservation,
                               usage, everyone)
        if decided.release is not None:
            self._unreserve(decided.release)
        if decided.refused:
            raise self._refusal(user_id, call, request.amount, tier)
        return self._kept(decided, request)

    async def admit_and_reserve_async(
        self, user_id: str | None, models: Sequence[ModelConfig], messages: Sequence[Message],
        max_tokens: int | None, tier: str | None, call: ModelConfig,
        call_messages: Sequence[Message], call_max_tokens: int,
    ) -> tuple[Admission, Reservation | None]:
        """``admit_and_reserve`` without stalling the event loop: on it, where the store
        has asynchronous calls (PostgreSQL), else on a thread (``off_loop``)."""
        calls = self.store.async_calls()
        if calls is not None:
            try:
                stored_in_store = self._budgets_stored_with_usage()
                if user_id is not None and stored_in_store is not None:  # read in the same trip
                    configured = self.policy.limits_with(stored_in_store.configured(user_id), tier)
                    request = self._request(user_id, call, call_messages, call_max_tokens,
                                            configured, self._clock.now())
                    reservation, usage, everyone, stored = await self._on_loop(
                        calls.reserve_with_stored_budget(request),
                        undo=partial(self._abandon, request.id))
                    limits = stored.limits if stored is not None else configured
                else:
                    limits = await self._limits_async(user_id, tier)
                    if not limits and not self.policy.global_limits:
                        return Admission(tuple(models), BudgetAction.ALLOW, None, None, limits), None
                    request = self._request(user_id, call, call_messages, call_max_tokens, limits,
                                            self._clock.now())
                    reservation, usage, everyone = await self._on_loop(
                        calls.reserve_and_read(request), undo=partial(self._abandon, request.id))
            except WouldBlock:
                pass  # nothing was reserved: the blocking call does it all
            else:
                decided = self._decide(user_id, models, messages, max_tokens, tier, limits,
                                       reservation, usage, everyone)
                if decided.release is not None:
                    await self._release_async(calls, decided.release)
                if decided.refused:
                    raise await self.off_loop(self._refusal, user_id, call, request.amount, tier)
                return self._kept(decided, request)
        return await self.off_loop(
            self.admit_and_reserve, user_id, models, messages, max_tokens, tier, call,
            call_messages, call_max_tokens, undo=lambda done: self.release(done[1]),
        )

    def _decide(
        self, user_id: str | None, models: Sequence[ModelConfig], messages: Sequence[Message],
        max_tokens: int | None, tier: str | None, limits: Mapping[Window, float],
        reservation: Reservation | None, usage: ScopeUsage, everyone: ScopeUsage,
    ) -> _Decided:
        """The decision on where the user stood, and what becomes of the reservation
        made with it: kept, released (the models narrowed, or the request blocked), or
        refused by the store (it did not fit)."""
        found = standings_from(user_id, limits, self.policy.global_limits, usage, everyone)
        try:
            admission = self._admission(user_id, models, messages, max_tokens, tier, limits,
                                        found, usage)
        except BaseException as blocked:  # BudgetExceededError, or a callback's own error
            return _Decided(None, None, reservation, False, blocked)
        if admission.models != tuple(models):
            return _Decided(admission, None, reservation, False, None)
        return _Decided(admission, reservation, None, reservation is None, None)

    def _unreserve(self, reservation: Reservation) -> None:
        self.store.release(reservation.id)

    def _kept(self, decided: _Decided, request: ReservationRequest) -> tuple[Admission, Reservation | None]:
        if decided.blocked is not None:
            raise decided.blocked
        assert decided.admission is not None
        if decided.reservation is not None:
            self._hold(decided.reservation.id, request.now + self.policy.reservation_ttl)
        return decided.admission, decided.reservation

    def _budgets_stored_with_usage(self) -> LiveBudgets | None:
        """The policy's user budgets when they are stored in the usage database, so that
        the reservation can read the user's with no round trip of its own."""
        budgets = self.policy.user_budgets
        if not isinstance(budgets, LiveBudgets):
            return None
        shared = self._shares_database.get(id(budgets.store))
        if shared is None:
            shared = self._shares_database[id(budgets.store)] = budgets.store.shares_database_with(
                self.store)
        return budgets if shared else None

    async def _limits_async(self, user_id: str | None, tier: str | None) -> Mapping[Window, float]:
        """``policy.limits_for``, a stored budget read on the event loop (WouldBlock
        where it cannot be)."""
        read = getattr(self.policy.user_budgets, "get_async", None)
        if user_id is None or read is None:  # budgets held in memory: nothing to wait for
            return self.policy.limits_for(user_id, tier)
        return self.policy.limits_with(await read(user_id), tier)

    async def reserve_async(
        self, user_id: str | None, model: ModelConfig, messages: Sequence[Message], max_tokens: int,
        tier: str | None = None, limits: Mapping[Window, float] | None = None,
    ) -> Reservation | None:
        """``reserve`` without stalling the event loop (see ``admit_and_reserve_async``)."""
        calls = self.store.async_calls()
        if calls is not None and limits is not None:
            if not limits and not self.policy.global_limits:
                return None
            request = self._request(user_id, model, messages, max_tokens, limits, self._clock.now())
            try:
                reservation = await self._on_loop(calls.reserve(request),
                                                  undo=partial(self._abandon, request.id))
            except WouldBlock:
                pass
            else:
                if reservation is None:
                    raise await self.off_loop(self._refusal, user_id, model, request.amount, tier)
                self._hold(reservation.id, request.now + self.policy.reservation_ttl)
                return reservation
        return await self.off_loop(self.reserve, user_id, model, messages, max_tokens, tier, limits,
                                   undo=self.release)

    async def settle_async(
        self, reservation: Reservation | None, model: ModelConfig, completion: Completion,
        cost: float, request: CascadeRequest,
    ) -> None:
        """``settle`` without stalling the event loop (see ``admit_and_reserve_async``).
        A caller cancelled while the commit runs does not stop it: the spend is stored."""
        calls = self.store.async_calls()
        if calls is not None and reservation is not None:
            entry = self._entry(reservation, model, completion, cost, request)
            try:
                await self._on_loop(calls.commit(reservation.id, entry))
            except WouldBlock:
                await self.off_loop(self.store.commit, reservation.id, entry)
            finally:
                self._drop(reservation.id)
            self._note_overspend(reservation, model, cost)
            return
        await self.off_loop(self.settle, reservation, model, completion, cost, request)

    async def release_async(self, reservation: Reservation | None) -> None:
        """``release`` without stalling the event loop (see ``admit_and_reserve_async``)."""
        calls = self.store.async_calls()
        if calls is None or reservation is None:
            await self.off_loop(self.release, reservation)
            return
        try:
            await self._release_async(calls, reservation)
        finally:
            self._drop(reservation.id)

    async def _release_async(self, calls: AsyncUsageCalls, reservation: Reservation) -> None:
        try:
            await self._on_loop(calls.release(reservation.id))
        except WouldBlock:
            await self.off_loop(self.store.release, reservation.id)

    async def _on_loop(self, call: Awaitable[T], undo: Callable[[T], object] | None = None) -> T:
        """Await an asynchronous store call that the caller's cancellation does not
        interrupt (a statement cut off mid-flight would leave its outcome unknown); if
        the caller is cancelled, ``undo`` is applied to the call's result, off the loop.

        The call runs as a task of its own that hands its outcome to the caller's future
        as it ends, so the caller resumes one turn of the loop sooner than through
        ``asyncio.shield`` (whose callbacks take a turn each); cancelling the caller
        cancels that future alone, never the task."""
        loop = asyncio.get_running_loop()
        outcome: asyncio.Future[T] = loop.create_future()
        task = loop.create_task(_handing_over(call, outcome))
        self._tasks.add(task)
        task.add_done_callback(self._forget_task)
        try:
            return await outcome
        except asyncio.CancelledError:
            if undo is not None:
                task.add_done_callback(partial(self._undo_task, undo))
            raise

    def _forget_task(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled():
            task.exception()  # handed to the caller already: not "never retrieved"

    def _undo_task(self, undo: Callable[[T], object], task: asyncio.Future[T]) -> None:
        if not task.cancelled() and task.exception() is None:
            self._threads().submit(_undo, undo, task.result())

    def _abandon(self, reservation_id: str, _result: object) -> None:
        """Release a reservation nobody waits for any more (its caller was cancelled);
        nothing happens if it was not granted."""
        self.store.release(reservation_id)

    def _admission(
        self, user_id: str | None, models: Sequence[ModelConfig], messages: Sequence[Message],
        max_tokens: int | None, tier: str | None, limits: Mapping[Window, float],
        found: list[Standing], usage: ScopeUsage,
    ) -> Admission:
        mine = usage if limits else None
        if not found:
            return Admission(tuple(models), BudgetAction.ALLOW, None, None, limits, mine)
        estimates = {m.name: self.estimate(m, messages, call_max_tokens(max_tokens, m)) for m in models}
        ctx = enforcement_context(min(found, key=Standing.sort_key), user_id,
                                  min(estimates.values()), tier)
        action_name, message = self._enforcement.check_budget(ctx)
        action = parse_action(action_name)
        if message is not None and ctx.scope == GLOBAL:
            message = f"{message} ({budget_name(ctx)})"
        if action is BudgetAction.BLOCK:
            raise BudgetExceededError(message or f"the {budget_name(ctx)} is exceeded", ctx)
        kept = list(models)
        if action is BudgetAction.DEGRADE:
            kept = [m for m in models if estimates[m.name] <= ctx.budget_remaining]
            kept = self._enforcement.filter_models(ctx, kept)
            if not kept:
                raise BudgetExceededError(
                    f"no model fits the ${ctx.budget_remaining:.6f} left in the {budget_name(ctx)}",
                    ctx,
                )
        if action is BudgetAction.WARN:
            self._enforcement.warn(ctx)
        return Admission(tuple(kept), action, message, ctx, limits, mine)

    def reserve(
        self, user_id: str | None, model: ModelConfig, messages: Sequence[Message], max_tokens: int,
        tier: str | None = None, limits: Mapping[Window, float] | None = None,
    ) -> Reservation | None:
        """Reserve the call's worst-case cost; ``limits``: the user's, as the request's
        admission found them (else looked up)."""
        if limits is None:
            limits = self.policy.limits_for(user_id, tier)
        if not limits and not self.policy.global_limits:
            return None
        now = self._clock.now()
        request = self._request(user_id, model, messages, max_tokens, limits, now)
        reservation = self.store.reserve(request)
        if reservation is None:
            raise self._refusal(user_id, model, request.amount, tier)
        self._hold(reservation.id, now + self.policy.reservation_ttl)
        return reservation

    def _request(self, user_id: str | None, model: ModelConfig, messages: Sequence[Message],
                 max_tokens: int, limits: Mapping[Window, float], now: datetime) -> ReservationRequest:
        return ReservationRequest(
            id=self._ids.new_id(),
            user_id=user_id or ANONYMOUS,
            amount=self.estimate(model, messages, max_tokens),
            limits=limits,
            now=now,
            ttl=min(self.policy.reservation_lease, self.policy.reservation_ttl),
            global_limits=self.policy.global_limits,
        )

    def renew_leases(self) -> int:
        """Extend by one lease every reservation held whose call may still be running
        (its deadline not passed); returns how many. Called by the renewing thread."""
        now = self._clock.now()
        with self._held_lock:
            for rid, deadline in list(self._held.items()):
                if deadline <= now:
                    del self._held[rid]
            ids = list(self._held)
        if ids:
            self.store.renew(ids, now + self.policy.reservation_lease)
        return len(ids)

    def _hold(self, reservation_id: str, deadline: datetime) -> None:
        with self._held_lock:
            self._held[reservation_id] = deadline
            # not alive: a child forked while the parent's thread ran has no such thread
            if self._renewer is None or not self._renewer.is_alive():
                self._renewer = threading.Thread(
                    target=self._keep_renewing, name="cascadeflow-leases", daemon=True
                )
                self._renewer.start()

    def _drop(self, reservation_id: str) -> None:
        with self._held_lock:
            self._held.pop(reservation_id, None)

    def _keep_renewing(self) -> None:
        """Renew four times per lease while anything is held, then stop."""
        interval = self.policy.reservation_lease.total_seconds() / 4
        while True:
            time.sleep(interval)
            with self._held_lock:
                if not self._held:
                    self._renewer = None
                    return
            try:
                self.renew_leases()
            except Exception:  # the store is down: try again at the next beat
                log.warning("could not renew budget reservations", exc_info=True)

    def _refusal(
        self, user_id: str | None, model: ModelConfig, amount: float, tier: str | None
    ) -> BudgetExceededError:
        """Why a reservation did not fit, naming the limit it hit (the user's or the global one)."""
        found = self._standings(user_id, tier)
        if not found:  # cannot happen: reserve only runs with limits; kept for safety
            return BudgetExceededError(f"the budget cannot cover {model.name} (up to ${amount:.6f})")
        short = [s for s in found if s.remaining < amount] or found
        ctx = enforcement_context(min(short, key=Standing.sort_key), user_id, amount, tier)
        if ctx.scope != GLOBAL:
            return BudgetExceededError(f"the budget cannot cover {model.name} (up to ${amount:.6f})", ctx)
        return BudgetExceededError(
            f"the {budget_name(ctx)} cannot cover {model.name} (up to ${amount:.6f}; "
            f"${ctx.budget_remaining:.6f} left of ${ctx.budget_limit:g}): raise "
            "CostTracker(budget_limit=...) to allow more spend", ctx,
        )

    def settle(
        self, reservation: Reservation | None, model: ModelConfig, completion: Completion,
        cost: float, request: CascadeRequest,
    ) -> None:
        """Store the call's real cost (and free the rest of its reservation)."""
        entry = self._entry(reservation, model, completion, cost, request)
        if reservation is None:
            self.store.record(entry)
            return
        try:
            self.store.commit(reservation.id, entry)
        finally:
            self._drop(reservation.id)
        self._note_overspend(reservation, model, cost)

    def _entry(self, reservation: Reservation | None, model: ModelConfig, completion: Completion,
               cost: float, request: CascadeRequest) -> CostEntry:
        return CostEntry(
            id=reservation.id if reservation is not None else self._ids.new_id(),
            model=model.name,
            provider=model.provider,
            cost=cost,
            timestamp=self._clock.now(),
            input_tokens=completion.input_tokens,
            output_tokens=completion.output_tokens,
            user_id=request.user_id,
            query_id=request.query_id,
            domain=request.domain,
            tier=request.tier,
            # OpenAI's ``user``: the caller's label for its own end user
            metadata=_end_user(request.options.forwarded.get("user")),
        )

    @staticmethod
    def _note_overspend(reservation: Reservation, model: ModelConfig, cost: float) -> None:
        if cost > reservation.amount + 1e-12:
            # the provider went past max_tokens (reasoning tokens, a price change):
            # the spend is real and recorded; say so, since the limit may now be exceeded
            log.warning(
                "call to %s cost $%.6f, more than the $%.6f reserved for it",
                model.name, cost, reservation.amount,
            )

    def release(self, reservation: Reservation | None) -> None:
        if reservation is not None:
            try:
                self.store.release(reservation.id)
            finally:
                self._drop(reservation.id)


async def _handing_over(call: Awaitable[T], outcome: asyncio.Future[T]) -> T:
    """Await ``call`` and set its outcome on ``outcome`` (unless its waiter gave up)."""
    try:
        result = await call
    except asyncio.CancelledError:
        outcome.cancel()
        raise
    except BaseException as failed:
        if not outcome.done():
            outcome.set_exception(failed)
        raise
    if not outcome.done():
        outcome.set_result(result)
    return result


def _end_user(label: object) -> dict[str, str]:
    return {"end_user": label} if isinstance(label, str) and label else {}

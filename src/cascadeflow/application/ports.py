"""The ports the use-cases own. Adapters and fakes subclass them explicitly."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Protocol

from cascadeflow.domain.messages import Completion, CompletionRequest, StreamEvent
from cascadeflow.domain.models import ModelConfig, TokenPrice
from cascadeflow.domain.quality import ValidationContext, ValidationResult


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


class Validator(Protocol):
    """Decides whether an answer is good enough to stop the cascade."""

    @abstractmethod
    def validate(self, text: str, context: ValidationContext) -> ValidationResult: ...

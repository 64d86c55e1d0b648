"""The real clock."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime

from cascadeflow.application.ports import Clock, IdGenerator


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class UuidGenerator(IdGenerator):
    def new_id(self) -> str:
        return uuid.uuid4().hex

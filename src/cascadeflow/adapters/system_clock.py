"""The real clock."""

from __future__ import annotations

import asyncio
import os
import time
from datetime import UTC, datetime

from cascadeflow.application.ports import Clock, IdGenerator


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


# the version (4) and variant (RFC 4122) bits of a random UUID, as uuid.UUID sets them
_UUID4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID4_SET = (0x4000 << 64) | (0x8000 << 48)


class UuidGenerator(IdGenerator):
    def new_id(self) -> str:
        """``uuid.uuid4().hex``, without building the UUID object (every budgeted call
        takes one)."""
        return f"{int.from_bytes(os.urandom(16)) & _UUID4_CLEAR | _UUID4_SET:032x}"

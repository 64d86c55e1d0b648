"""Where the online policy's random choices come from."""

from __future__ import annotations

import hashlib
import random

from cascadeflow.application.ports import Chance


class SystemChance(Chance):
    """Live traffic: a fresh draw every time."""

    def __init__(self) -> None:
        self._random = random.SystemRandom()

    def uniform(self, key: str) -> float:
        return self._random.random()


class HashChance(Chance):
    """Replays: a draw fixed by the key (query id and choice), so the same trace in the
    same order always takes the same decisions, whatever its labels say."""

    def __init__(self, salt: str = "cascadeflow") -> None:
        self._salt = salt

    def uniform(self, key: str) -> float:
        digest = hashlib.sha256(f"{self._salt}\x1f{key}".encode()).digest()
        return int.from_bytes(digest[:7], "big") / float(1 << 56)

"""Long texts read through a bounded window, so that checking an answer or sizing up a
query costs the same at 100,000 characters as at 1,000.

Validation (refusal and hedging patterns, the draft scorer's signals) and the
complexity analysis read the first ``HEAD`` and the last ``TAIL`` characters of a
longer text; lengths are still measured on the whole text. What a long answer says
in its middle is not read: refusals, hedges, final answers and truncation show at
its start or end. Domain detection reads the first 2,500 characters
(``detection.detector.MAX_CHARS``).
"""

from __future__ import annotations

import re
from typing import Any

HEAD = 3_000
TAIL = 1_000


def window(text: str, head: int = HEAD, tail: int = TAIL) -> str:
    """``text`` itself when short enough, else its first ``head`` and last ``tail``
    characters joined by a line break."""
    if len(text) <= head + tail:
        return text
    return f"{text[:head]}\n{text[-tail:]}"


def scaled_count(count_in_window: int, window_length: int, length: int) -> int:
    """A count made on the window, scaled to the whole text (word counts)."""
    if length <= window_length or window_length == 0:
        return count_in_window
    return round(count_in_window * length / window_length)


# Escapes whose meaning does not change when the text and the pattern are lowercased.
_CASELESS_ESCAPES = frozenset("bBsSdDwWAZ")


def _lowercased_pattern(pattern: str) -> str | None:
    """``pattern`` lowercased outside its escapes, when a case-sensitive search of it in
    lowercased ASCII text finds what a case-blind search of ``pattern`` finds; else None
    (escapes naming a character, inline flags, non-ASCII)."""
    if not pattern.isascii():
        return None
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            if escaped.isalnum() and escaped not in _CASELESS_ESCAPES:
                return None
            out.append(char + escaped)
            index += 2
            continue
        if char == "(" and pattern.startswith("?", index + 1):
            if pattern.startswith("?P", index + 1):  # a named group or a reference to one
                out.append("(?P")
                index += 3
                continue
            if not pattern.startswith(("?:", "?=", "?!", "?<"), index + 1):
                return None  # inline flags
        out.append(char.lower())
        index += 1
    return "".join(out)


class CaseBlind:
    """A case-insensitive pattern that searches lowercased ASCII text case-sensitively
    when that is exact: the same matches at the same places, two to three times faster
    than ``re.IGNORECASE``. Other text takes the ``re.IGNORECASE`` path."""

    __slots__ = ("blind", "lowered", "cues")

    def __init__(self, pattern: str, cues: tuple[str, ...] = ()) -> None:
        """``cues``, when given, are lowercase strings one of which every match contains:
        a text without any of them is not searched."""
        self.blind = re.compile(pattern, re.IGNORECASE)
        self.cues = cues
        lowered = _lowercased_pattern(pattern)
        try:
            self.lowered = None if lowered is None else re.compile(lowered)
        except re.error:
            self.lowered = None

    def _target(self, text: str, lowered: str | None) -> tuple[re.Pattern[str], str] | None:
        if lowered is None:
            lowered = text.lower()
        if self.cues and not any(cue in lowered for cue in self.cues):
            return None
        if self.lowered is not None and text.isascii():
            return self.lowered, lowered
        return self.blind, text

    def search(self, text: str, lowered: str | None = None) -> str | None:
        """The first match in ``text`` as written there; ``lowered`` is ``text.lower()``."""
        target = self._target(text, lowered)
        found = None if target is None else target[0].search(target[1])
        return None if found is None else text[found.start():found.end()]

    def findall(self, text: str, lowered: str | None = None) -> list[Any]:
        """``re.findall`` on ``text`` (groups of the lowercased text when it is searched)."""
        target = self._target(text, lowered)
        return [] if target is None else target[0].findall(target[1])

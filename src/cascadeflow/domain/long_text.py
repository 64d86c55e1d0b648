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

HEAD = 6_000
TAIL = 2_000


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

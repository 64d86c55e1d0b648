"""Regular time series: timestamps bucketed into UTC days, hours or minutes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from enum import Enum

from cascadeflow.domain.errors import ConfigurationError


class Frequency(str, Enum):
    DAILY = "D"
    HOURLY = "H"
    MINUTELY = "min"

    @property
    def step(self) -> timedelta:
        return _STEPS[self]

    @property
    def seasons(self) -> tuple[int, ...]:
        """Cycle lengths worth modelling, in periods: a week of days; a day and a week of
        hours; an hour of minutes."""
        return _SEASONS[self]

    @property
    def unit(self) -> str:
        return {"D": "day", "H": "hour", "min": "minute"}[self.value]

    def floor(self, moment: datetime) -> datetime:
        """The start of the period holding ``moment`` (naive times are taken as UTC)."""
        moment = as_utc(moment)
        if self is Frequency.DAILY:
            return moment.replace(hour=0, minute=0, second=0, microsecond=0)
        if self is Frequency.HOURLY:
            return moment.replace(minute=0, second=0, microsecond=0)
        return moment.replace(second=0, microsecond=0)


_STEPS = {Frequency.DAILY: timedelta(days=1), Frequency.HOURLY: timedelta(hours=1),
          Frequency.MINUTELY: timedelta(minutes=1)}
_SEASONS = {Frequency.DAILY: (7,), Frequency.HOURLY: (24, 168), Frequency.MINUTELY: (60,)}
_ALIASES = {"d": Frequency.DAILY, "day": Frequency.DAILY, "daily": Frequency.DAILY,
            "h": Frequency.HOURLY, "hour": Frequency.HOURLY, "hourly": Frequency.HOURLY,
            "min": Frequency.MINUTELY, "t": Frequency.MINUTELY, "minute": Frequency.MINUTELY,
            "minutely": Frequency.MINUTELY}


def parse_frequency(value: str | Frequency) -> Frequency:
    if isinstance(value, Frequency):
        return value
    found = _ALIASES.get(str(value).strip().lower())
    if found is None:
        raise ConfigurationError(f"freq must be D (daily), H (hourly) or min, got {value!r}")
    return found


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def bucket(
    points: Iterable[tuple[datetime, float]],
    freq: Frequency,
    start: datetime | None = None,
    end: datetime | None = None,
) -> tuple[datetime | None, list[float]]:
    """Sum values per period; periods with nothing are 0. Returns the first period's
    start and the values, from ``start`` (default: the first point's period) up to but
    excluding the period of ``end`` (default: through the last point's period)."""
    sums: dict[datetime, float] = defaultdict(float)
    for moment, value in points:
        sums[freq.floor(moment)] += float(value)
    first = freq.floor(start) if start is not None else min(sums, default=None)
    if first is None:
        return None, []
    stop = freq.floor(end) if end is not None else max(sums, default=first) + freq.step
    values: list[float] = []
    moment = first
    while moment < stop:
        values.append(sums.get(moment, 0.0))
        moment += freq.step
    return first, values

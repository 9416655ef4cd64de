"""The event ids a bot handled lately, so a platform's retry is known without the database."""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime, timedelta

__all__ = ["SEEN_CACHE", "SEEN_WINDOW", "UNKNOWN", "SeenEvents"]

SEEN_CACHE = 50_000
SEEN_WINDOW = timedelta(days=1)
SWEEP_SLACK = timedelta(hours=1)  # ids a day old are forgotten together, once an hour
UNKNOWN = datetime.max.replace(tzinfo=UTC)  # a floor: every id may need the database


class SeenEvents:
    """(community, event id) handled lately: a day's, SEEN_CACHE at most, oldest forgotten first.

    `floor`: ids of events that happened after it are all here; older ones need the database
    (None: none does, a fresh database).
    """

    def __init__(self) -> None:
        self.floor: datetime | None = UNKNOWN
        self._at: OrderedDict[tuple[str, str], datetime] = OrderedDict()
        self._sweep_at: datetime | None = None  # when the oldest id is an hour past the window

    def __contains__(self, key: tuple[str, str]) -> bool:
        return key in self._at

    def remember(self, key: tuple[str, str], at: datetime, clock: datetime | None) -> None:
        """An id not remembered yet, of an event that happened `at`; `clock` says what is old."""
        seen = self._at
        seen[key] = at
        sweep_at = self._sweep_at
        if sweep_at is None:
            sweep_at = self._sweep_at = at + SEEN_WINDOW + SWEEP_SLACK
        if len(seen) <= SEEN_CACHE and (clock or at) < sweep_at:
            return  # the usual case: nothing to forget
        horizon = (clock or at) - SEEN_WINDOW
        while seen:
            oldest_at = next(iter(seen.values()))
            if len(seen) <= SEEN_CACHE and oldest_at >= horizon:
                break
            seen.popitem(last=False)
            # Platforms retry within minutes, so only events this old can be forgotten repeats.
            if self.floor is None or oldest_at > self.floor:
                self.floor = oldest_at
        self._schedule()

    def forget(self, keys: list[tuple[str, str]]) -> None:
        """Forget these ids (of events abandoned by a rollback)."""
        for key in keys:
            self._at.pop(key, None)
        self._schedule()

    def clear(self) -> None:
        """Forget every id (after a rollback); the floor is the caller's to set."""
        self._at.clear()
        self._sweep_at = None

    def _schedule(self) -> None:
        first = next(iter(self._at.values()), None)
        self._sweep_at = None if first is None else first + SEEN_WINDOW + SWEEP_SLACK

"""The event ids a bot handled lately, so a platform's retry is known without the database."""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime, timedelta

__all__ = ["SEEN_CACHE", "SEEN_WINDOW", "UNKNOWN", "SeenEvents"]

SEEN_CACHE = 50_000
SEEN_WINDOW = timedelta(days=1)
UNKNOWN = datetime.max.replace(tzinfo=UTC)  # a floor: every id may need the database


class SeenEvents:
    """(community, event id) handled lately: a day's, SEEN_CACHE at most, oldest forgotten first.

    `floor`: ids of events that happened after it are all here; older ones need the database
    (None: none does, a fresh database).
    """

    def __init__(self) -> None:
        self.floor: datetime | None = UNKNOWN
        self._at: OrderedDict[tuple[str, str], datetime] = OrderedDict()
        self._first: datetime | None = None  # when the oldest one remembered happened

    def __contains__(self, key: tuple[str, str]) -> bool:
        return key in self._at

    def remember(self, key: tuple[str, str], at: datetime, clock: datetime | None) -> None:
        """An id not remembered yet, of an event that happened `at`; `clock` says what is old."""
        seen = self._at
        seen[key] = at
        first = self._first = self._first or at
        horizon = (clock or at) - SEEN_WINDOW
        if len(seen) <= SEEN_CACHE and first >= horizon:
            return  # the usual case: nothing to forget
        while seen:
            oldest_at = next(iter(seen.values()))
            if len(seen) <= SEEN_CACHE and oldest_at >= horizon:
                break
            seen.popitem(last=False)
            # Platforms retry within minutes, so only events this old can be forgotten repeats.
            if self.floor is None or oldest_at > self.floor:
                self.floor = oldest_at
        self._first = next(iter(seen.values()), None)

    def forget(self, keys: list[tuple[str, str]]) -> None:
        """Forget these ids (of events abandoned by a rollback)."""
        for key in keys:
            self._at.pop(key, None)
        self._first = next(iter(self._at.values()), None)

    def clear(self) -> None:
        """Forget every id (after a rollback); the floor is the caller's to set."""
        self._at.clear()
        self._first = None

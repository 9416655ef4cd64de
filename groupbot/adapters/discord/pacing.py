"""DM pacing per guild: a handful a minute, with room kept for notes before welcomes."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

__all__ = ["DmPacer"]

WINDOW = 60.0


class DmPacer:
    """A sliding one-minute window per guild; welcomes leave `reserve` slots for notes."""

    def __init__(
        self, per_minute: int, reserve: int = 2, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_minute = max(1, per_minute)
        self.reserve = min(reserve, self.per_minute - 1)
        self.clock = clock
        self._sent: dict[str, deque[float]] = {}

    def take(self, guild: str, *, priority: bool) -> float | None:
        """Claim a slot and return None, or return the seconds until one frees up."""
        now = self.clock()
        sent = self._sent.setdefault(guild, deque())
        while sent and now - sent[0] >= WINDOW:
            sent.popleft()
        limit = self.per_minute if priority else self.per_minute - self.reserve
        if len(sent) < limit:
            sent.append(now)
            return None
        return max(0.1, WINDOW - (now - sent[len(sent) - limit]))

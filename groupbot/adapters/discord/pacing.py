"""DM pacing per guild: a handful a minute, with room kept for notes before welcomes."""

from __future__ import annotations

import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage, Storage
from limits.strategies import MovingWindowRateLimiter

__all__ = ["DmPacer"]

# Refused DMs are retried no sooner than this, however close the window is to freeing up.
MIN_RETRY_SECONDS = 0.1


class DmPacer:
    """A sliding one-minute window per guild; welcomes leave `reserve` slots for notes."""

    def __init__(
        self,
        per_minute: int,
        reserve: int = 2,
        storage: Storage | None = None,
    ) -> None:
        self.per_minute = max(1, per_minute)
        self.reserve = max(0, min(reserve, self.per_minute - 1))
        self._limit = RateLimitItemPerMinute(self.per_minute)
        # Memory by default; a shared limits storage would pace every process as one.
        self._window = MovingWindowRateLimiter(storage or MemoryStorage())

    def take(self, guild: str, *, priority: bool) -> float | None:
        """Claim a slot and return None, or return the seconds until one frees up."""
        room = 1 if priority else 1 + self.reserve
        if self._window.test(self._limit, guild, cost=room) and self._window.hit(
            self._limit, guild
        ):
            return None
        reset = self._window.get_window_stats(self._limit, guild).reset_time
        return max(MIN_RETRY_SECONDS, reset - time.time())

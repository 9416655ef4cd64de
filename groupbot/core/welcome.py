"""Welcome pacing: personal welcomes, and one channel post for bursts of joins."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

__all__ = ["BURST_WINDOW", "WelcomePacer"]

BURST_WINDOW = timedelta(minutes=1)


class WelcomePacer:
    """Counts individual welcomes per rolling minute for one community."""

    __slots__ = ("_sent",)

    def __init__(self) -> None:
        self._sent: deque[datetime] = deque()

    def allow(self, now: datetime, per_minute: int) -> bool:
        """Record and allow one individual welcome if the minute's budget has room."""
        horizon = now - BURST_WINDOW
        while self._sent and self._sent[0] <= horizon:
            self._sent.popleft()
        if len(self._sent) >= per_minute:
            return False
        self._sent.append(now)
        return True

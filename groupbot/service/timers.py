"""Timers that fall due as the clock passes them: batched welcomes, reminders, expiries."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum

from groupbot.core.texts import quote

__all__ = ["Timer", "TimerKind", "TimerQueue", "request_summary"]


def request_summary(member_name: str, text: str) -> str:
    """How reminders refer to a request: who asked, and a short quote."""
    return f"from {member_name}: {quote(text, 120)}"


class TimerKind(IntEnum):
    """What a timer does; at equal times welcomes go first, expiry last."""

    WELCOME_BATCH = 0
    REMIND = 1
    EXPIRE = 2
    RETENTION = 3


@dataclass(frozen=True, slots=True, order=True)
class Timer:
    """One scheduled piece of work."""

    due: datetime
    kind: TimerKind
    seq: int
    community: str = field(compare=False)
    request: int | None = field(default=None, compare=False)
    member: str = field(default="", compare=False)
    summary: str = field(default="", compare=False)


class TimerQueue:
    """An in-memory heap of timers, rebuilt from the database at start-up."""

    def __init__(self) -> None:
        self._heap: list[Timer] = []
        self._seq = 0

    def add(
        self,
        due: datetime,
        kind: TimerKind,
        community: str,
        request: int | None = None,
        member: str = "",
        summary: str = "",
    ) -> None:
        """Schedule work at `due` (for requests: who asked and what, for the texts)."""
        self._seq += 1
        timer = Timer(due, kind, self._seq, community, request, member, summary)
        heapq.heappush(self._heap, timer)

    def add_request(
        self,
        community: str,
        request: int,
        member: str,
        summary: str,
        remind_at: datetime | None,
        expire_at: datetime,
    ) -> None:
        """Schedule a pending request's reminder (if any) and expiry."""
        if remind_at is not None:
            self.add(remind_at, TimerKind.REMIND, community, request, member, summary)
        self.add(expire_at, TimerKind.EXPIRE, community, request, member, summary)

    def next_due(self) -> datetime | None:
        """When the earliest timer falls due, if any."""
        return self._heap[0].due if self._heap else None

    def pop_due(self, now: datetime) -> list[Timer]:
        """Remove and return every timer due by `now`, in due order."""
        due: list[Timer] = []
        while self._heap and self._heap[0].due <= now:
            due.append(heapq.heappop(self._heap))
        return due

"""Events the database cannot take yet, for platforms that never redeliver them: held, in order."""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import itertools
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from groupbot.core.actions import Action
from groupbot.core.events import CommandIssued, Event
from groupbot.service.bot import LIVE_BATCH
from groupbot.service.metrics import BUFFER_DROPPED, BUFFERED
from groupbot.storage.faults import unreachable

__all__ = ["BUFFER_LIMIT", "EventBuffer", "Handler"]

log = logging.getLogger(__name__)

BUFFER_LIMIT = 10_000  # events held at most (about 10 MB): past it, new events are dropped
FIRST_DELAY = 0.25  # seconds before the first retry; doubled after each failed one
MAX_DELAY = 5.0


class Handler(Protocol):
    """What handles an event exactly once (the Bot), raising when it cannot store it."""

    async def handle(self, event: Event) -> list[Action]: ...


@dataclass(order=True, slots=True)
class _Held:
    """One event waiting for the database, in the order it arrived."""

    seq: int
    event: Event = field(compare=False)


class EventBuffer:
    """Hands events to the Bot; those refused because the database is away wait here.

    Once one event waits, every later one queues behind it (the database is shared by all
    communities, and a community's events must be handled in the order they came), and a
    single task retries the oldest with backoff until the database takes it, then drains
    the rest in group commits. Commands are never held: the member waits for an answer and
    is told to try again.
    """

    def __init__(
        self,
        bot: Handler,
        platform: str,
        *,
        limit: int = BUFFER_LIMIT,
        first_delay: float = FIRST_DELAY,
        max_delay: float = MAX_DELAY,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.bot = bot
        self.platform = platform
        self.limit = limit
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.jitter = jitter
        self.waiting = False  # the last try found the database away
        self._held: list[_Held] = []
        self._seq = itertools.count()
        self._drainer: asyncio.Task[None] | None = None
        self._kick = asyncio.Event()  # retry now (shutdown), not after the backoff
        self._dropped = 0  # in the current spell of a full buffer
        BUFFERED.labels(platform=platform).set(0)

    def __len__(self) -> int:
        return len(self._held)

    async def ready(self) -> bool:
        """For /readyz: no event is waiting for an unreachable database."""
        return not self.waiting

    async def handle(self, event: Event) -> list[Action] | None:
        """The event's actions once stored; None when it was held for later (or dropped)."""
        if isinstance(event, CommandIssued):
            return await self.bot.handle(event)
        seq = next(self._seq)
        if self._held:  # behind those already waiting
            self._hold(_Held(seq, event))
            return None
        try:
            return await self.bot.handle(event)
        except Exception as exc:
            if not unreachable(exc):
                raise
            self._hold(_Held(seq, event), exc)
            return None

    def _hold(self, held: _Held, error: BaseException | None = None) -> None:
        if not self._held and error is not None:
            log.warning(
                "database unreachable (%s): holding %s events in memory until it is back",
                type(error).__name__,
                self.platform,
            )
        self.waiting = self.waiting or error is not None
        if len(self._held) >= self.limit:
            self._drop(held.event)
            return
        bisect.insort(self._held, held)  # an event that failed late goes back to its place
        BUFFERED.labels(platform=self.platform).set(len(self._held))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())

    def _drop(self, event: Event) -> None:
        BUFFER_DROPPED.labels(platform=self.platform).inc()
        self._dropped += 1
        if self._dropped == 1:
            log.error(
                "event buffer full (%d events waiting for the database): event %s of %s and "
                "any more until it drains are LOST",
                len(self._held),
                event.event_id,
                event.community,
            )

    async def _drain(self) -> None:
        """Retry the oldest events until none is left; back off while the database is away."""
        delay = self.first_delay
        stored = 0
        while self._held:
            # While the database is away, one event probes it; once back, a group commit.
            batch = self._held[: 1 if self.waiting else LIVE_BATCH]
            results = await asyncio.gather(
                *(self.bot.handle(h.event) for h in batch), return_exceptions=True
            )
            away = False
            done: set[int] = set()
            for held, result in zip(batch, results, strict=True):
                if isinstance(result, Exception) and unreachable(result):
                    away = True
                    continue
                if isinstance(result, BaseException):
                    if not isinstance(result, Exception):
                        raise result  # cancelled: what is left stays held
                    log.error(
                        "held event %s of %s failed and is dropped: %s",
                        held.event.event_id,
                        held.event.community,
                        type(result).__name__,
                    )
                else:
                    stored += 1
                done.add(held.seq)
            self._held = [h for h in self._held if h.seq not in done]
            BUFFERED.labels(platform=self.platform).set(len(self._held))
            self.waiting = away
            if not away:
                delay = self.first_delay
                continue
            await self._pause(delay * (0.5 + self.jitter() / 2))
            delay = min(delay * 2, self.max_delay)
        log.warning("database back: %d held %s events stored", stored, self.platform)
        if self._dropped:
            log.error("%d events were lost while the event buffer was full", self._dropped)
            self._dropped = 0

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._kick.wait()
        self._kick.clear()

    async def close(self, within: float) -> int:
        """Try to store what is held for up to `within` seconds; return how many were lost."""
        if not self._held:
            return 0
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        drainer = self._drainer
        self._kick.set()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                await asyncio.shield(drainer)
        if not drainer.done():
            drainer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await drainer
        lost = len(self._held)
        if lost:
            BUFFER_DROPPED.labels(platform=self.platform).inc(lost)
            log.error(
                "stopping with %d %s events still waiting for the database: they are LOST",
                lost,
                self.platform,
            )
        return lost

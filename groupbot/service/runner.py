"""The delivery loop beside every live bot: owed messages go out as soon as they are committed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement

from groupbot.core.actions import DeliveryGivenUp
from groupbot.core.i18n import say
from groupbot.core.ports import Platform
from groupbot.service.bot import Bot
from groupbot.service.first_run import FirstRun
from groupbot.service.metrics import OUTBOX_ROWS, QUEUE_OLDEST, QUEUE_PENDING
from groupbot.service.settings import Settings
from groupbot.storage.gauges import backlog
from groupbot.storage.outbox import OutboxWorker, RetryPolicy

__all__ = ["IdleWait", "Runner", "retry_policy"]

log = logging.getLogger(__name__)

GAUGE_SECONDS = 15.0  # how often the backlog gauges are read again (one small query each)

IdleWait = Callable[[Coroutine[Any, Any, None]], Awaitable[None]]


async def _plain(wait: Coroutine[Any, Any, None]) -> None:
    await wait


def _now() -> datetime:
    return datetime.now(UTC)


def retry_policy(settings: Settings | None = None) -> RetryPolicy:
    """The outbox's retries as the environment sets them (GROUPBOT_OUTBOX_*)."""
    settings = settings or Settings()
    return RetryPolicy(
        attempts=settings.groupbot_outbox_attempts,
        base=timedelta(seconds=settings.groupbot_outbox_backoff_seconds),
    )


class Runner:
    """Fires due timers, ends first-run shadow periods, delivers owed rows; woken by commits."""

    def __init__(
        self,
        bot: Bot,
        platform: Platform,
        *,
        scope: ColumnElement[bool] | None = None,
        clock: Callable[[], datetime] = _now,
        idle: IdleWait | None = None,
        tick_seconds: float = 1.0,
        coalesce_seconds: float = 0.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.bot = bot
        # scope: only the communities this process serves (Discord shards split over processes)
        self.worker = OutboxWorker(
            bot.db,
            platform,
            scope=scope,
            retry=retry or retry_policy(),
            on_give_up=self._given_up,
        )
        self.clock = clock
        self.idle = idle or _plain
        self.tick_seconds = tick_seconds
        self.coalesce_seconds = coalesce_seconds  # a woken round waits this long to gather more
        self._wake = asyncio.Event()
        self._gauged: datetime | None = None
        bot.transactions.on_commit = self._wake.set
        self.first_run = FirstRun(bot.db, bot.recorder, bot.communities, self._wake.set)

    def _given_up(
        self, community: str, action: str, row: int, attempts: int, at: datetime
    ) -> DeliveryGivenUp:
        """The owners' notice of a message given up, in the community's language."""
        language = self.bot.communities.rulebook_of(community).community.language
        text = say(
            language,
            "notice.delivery_given_up",
            action=action,
            outbox=row,
            attempts=attempts,
            community=community,
        )
        return DeliveryGivenUp(
            at=at,
            community=community,
            outbox=row,
            failed_action=action,
            attempts=attempts,
            text=text,
        )

    def wake(self) -> None:
        """Deliver now rather than at the next tick."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Loop until `stop` is set; a commit during a round starts the next one at once."""
        while not stop.is_set():
            self._wake.clear()  # before the round: a commit during it wakes the next one
            try:
                now = self.clock()
                due = self.bot.timers.next_due()
                if due is not None and due <= now:  # else the engine's turn is not needed
                    await self.bot.advance(now)
                await self.worker.drain(now)
                await self.first_run.tick(now)  # shadow periods over by now
                await self._gauge(now)
            except Exception:  # one bad round must not stop deliveries for good
                log.exception("delivery round failed; retrying at the next tick")
            if stop.is_set() or self._wake.is_set():
                continue
            await self.idle(self._pause())

    async def _gauge(self, now: datetime) -> None:
        """Read the backlog into the gauges, at most every GAUGE_SECONDS."""
        if self._gauged is not None and (now - self._gauged).total_seconds() < GAUGE_SECONDS:
            return
        self._gauged = now
        found = await backlog(self.bot.db)
        QUEUE_PENDING.set(found.pending_requests)
        oldest = found.oldest_request_at
        QUEUE_OLDEST.set(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
        for status in ("pending", "failed"):
            OUTBOX_ROWS.labels(status=status).set(found.outbox.get(status, 0))

    async def _pause(self) -> None:
        """Until woken or the tick passes (in this task: no helper task to track)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.tick_seconds):
                await self._wake.wait()
            if self.coalesce_seconds:
                await asyncio.sleep(self.coalesce_seconds)  # gather a burst into one round

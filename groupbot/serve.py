"""Running the bot for real: delivery and timer loops beside a platform adapter."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from groupbot.core.ports import Platform
from groupbot.service import Bot
from groupbot.storage.outbox import OutboxWorker

__all__ = ["Runner"]

log = logging.getLogger(__name__)


class Runner:
    """Delivers owed messages as soon as they are committed, and fires timers as time passes."""

    def __init__(
        self,
        bot: Bot,
        platform: Platform,
        *,
        tick_seconds: float = 1.0,
        coalesce_seconds: float = 0.02,
    ) -> None:
        self.bot = bot
        self.worker = OutboxWorker(bot.db, platform)
        self.tick_seconds = tick_seconds
        self.coalesce_seconds = coalesce_seconds
        self._wake = asyncio.Event()
        bot.on_commit = self._wake.set

    def wake(self) -> None:
        """Deliver now rather than at the next tick."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Loop until `stop` is set: fire due timers, then deliver what is owed."""
        while not stop.is_set():
            self._wake.clear()  # before the round: a commit during it wakes the next one
            try:
                await self.bot.advance(datetime.now(UTC))
                await self.worker.drain()
            except Exception:  # one bad round must not stop deliveries for good
                log.exception("delivery round failed; retrying at the next tick")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.tick_seconds)
                await asyncio.sleep(self.coalesce_seconds)  # gather a burst into one round

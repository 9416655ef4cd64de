"""The delivery loop for Discord: the core Runner with an injectable clock, idle wait and scope."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement

from groupbot.core.ports import Platform
from groupbot.serve import Runner
from groupbot.service import Bot
from groupbot.storage.outbox import OutboxWorker

__all__ = ["DiscordRunner", "IdleWait"]

log = logging.getLogger(__name__)

IdleWait = Callable[[Coroutine[Any, Any, None]], Awaitable[None]]


async def _plain(wait: Coroutine[Any, Any, None]) -> None:
    await wait


class DiscordRunner(Runner):
    """Fires timers and delivers owed rows; woken at once by every commit."""

    def __init__(
        self,
        bot: Bot,
        platform: Platform,
        *,
        clock: Callable[[], datetime],
        scope: ColumnElement[bool] | None = None,
        idle: IdleWait | None = None,
        tick_seconds: float = 1.0,
    ) -> None:
        super().__init__(bot, platform, tick_seconds=tick_seconds)
        self.worker = OutboxWorker(bot.db, platform, scope=scope)
        self.clock = clock
        self.idle = idle or _plain

    async def run(self, stop: asyncio.Event) -> None:
        """Loop until `stop` is set; a commit during a round starts the next one at once."""
        while not stop.is_set():
            self._wake.clear()
            try:
                now = self.clock()
                due = self.bot.timers.next_due()
                if due is not None and due <= now:  # else skip the engine's lock entirely
                    await self.bot.advance(now)
                await self.worker.drain(now)
            except Exception:  # one bad round must not stop deliveries for good
                log.exception("delivery round failed; retrying at the next tick")
            if stop.is_set() or self._wake.is_set():
                continue
            await self.idle(self._pause())

    async def _pause(self) -> None:
        """Until woken or the tick passes (in this task: no helper task to track)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.tick_seconds):
                await self._wake.wait()

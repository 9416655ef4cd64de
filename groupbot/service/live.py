"""One wiring for every live platform: the database, the started Bot, metrics and health."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.core.rulebook import Rulebook
from groupbot.service.bot import LIVE_BATCH, Bot

__all__ = ["start_live_bot"]


async def start_live_bot(db: AsyncEngine, rulebook: Rulebook, platform: str) -> Bot:
    """A Bot as every live platform runs it: group commit, a database shared with replicas."""
    bot = Bot(
        db, rulebook, platform=platform, batch_size=LIVE_BATCH, group_commit=True, shared=True
    )
    await bot.start()
    bot.engine.detector.prepare()  # before connecting: no first-message stall
    return bot

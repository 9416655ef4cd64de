"""The one place this package and the backtest reach into the runtime, replay and storage code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from groupbot.adapters.memory import MemoryPlatform
from groupbot.local.replay import run_replay
from groupbot.local.replay_events import read_events
from groupbot.service.bot import Bot
from groupbot.service.runtime import MEMORY_URL, open_bot
from groupbot.storage.models import AuditEntry, Post, table
from groupbot.storage.outbox import OutboxWorker

__all__ = [
    "MEMORY_URL",
    "Bot",
    "MemoryPlatform",
    "OutboxWorker",
    "hold_private_rows",
    "open_bot",
    "prune_posts",
    "read_events",
    "run_replay",
]


def hold_private_rows(bot: Bot) -> None:
    """Hold members' and posts' rows between commits: a private database (see HeldRows)."""
    bot.transactions.hold(table(Post))


async def prune_posts(bot: Bot, horizon: datetime) -> None:
    """Drop post and audit rows older than `horizon` from a private, replay-only database.

    The engine reads them back only inside its rolling windows (and every hold, which is
    kept), but keeps every row: over a long history they would be most of a backtest's memory.
    This is that database's only sweep (the bot's daily retention is off); it stores no
    event ids (see Bot.stores_event_ids).
    """
    await bot.commit()
    held = bot.transactions.held
    if held is not None:
        held.forget_before(horizon)
    async with bot.db.begin() as conn:
        await conn.execute(delete(Post).where(Post.at < horizon))
        await conn.execute(
            delete(AuditEntry).where(AuditEntry.at < horizon, AuditEntry.action != "hold")
        )

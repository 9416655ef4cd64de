"""`groupbot events retry`: dead letters fed to the bot again, their texts made safe."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.core.clean import clean_event, clean_text
from groupbot.core.rulebook import Rulebook
from groupbot.service.bot import Bot
from groupbot.service.failures import event_from_json
from groupbot.storage.repositories.failed import drop_failed, list_failed, retried

__all__ = ["retry_failed"]


async def retry_failed(
    db: AsyncEngine, rulebook: Rulebook, only: Sequence[int] = ()
) -> tuple[int, int]:
    """Feed dead letters (all, or the ids given) to the bot again, their texts made safe.

    Returns (stored, still failing); a stored one leaves failed_events, its owed messages
    wait in the outbox for the running bot to deliver.
    """
    async with db.connect() as conn:
        rows = [r for r in await list_failed(conn, limit=10_000) if not only or r.id in only]
    stored = failing = 0
    bots: dict[str, Bot] = {}
    try:
        for row in rows:
            bot = bots.get(row.platform)
            if bot is None:
                bot = bots[row.platform] = Bot(db, rulebook, platform=row.platform)
                await bot.start()
            try:
                await bot.handle(clean_event(event_from_json(row.payload)))
            except Exception as exc:
                failing += 1
                async with db.begin() as conn:
                    await retried(conn, row.id, clean_text(f"{type(exc).__name__}: {exc}"), _now())
                continue
            stored += 1
            async with db.begin() as conn:
                await drop_failed(conn, row.id)
    finally:
        for bot in bots.values():
            await bot.close()
    return stored, failing


def _now() -> datetime:
    return datetime.now(UTC)

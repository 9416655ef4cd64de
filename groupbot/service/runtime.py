"""Wiring: settings, rulebook and database into a running Bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.core.rulebook import Rulebook
from groupbot.service.bot import Bot, Sink
from groupbot.storage.database import create_engine, database_url, is_memory_sqlite
from groupbot.storage.migrate import require_current, upgrade

__all__ = ["MEMORY_URL", "open_bot", "open_database", "open_service_database"]

MEMORY_URL = "sqlite+aiosqlite://"


@asynccontextmanager
async def open_database(
    url: str, *, migrate: bool = True, inline: bool = False
) -> AsyncIterator[AsyncEngine]:
    """An engine on the database, migrated to the latest schema (`inline`: see create_engine)."""
    engine = create_engine(database_url(url), inline=inline)
    try:
        if migrate:
            await upgrade(engine)
        yield engine
    finally:
        await engine.dispose()


@asynccontextmanager
async def open_service_database(url: str) -> AsyncIterator[AsyncEngine]:
    """A running bot's database: SQLite is migrated here, a shared one must be already."""
    # One process owns a SQLite file; on a shared database every replica starting would race
    # to migrate it, so that is `groupbot db upgrade`'s job, once per release.
    local = make_url(database_url(url)).get_backend_name() == "sqlite"
    async with open_database(url, migrate=local) as engine:
        if not local:
            await require_current(engine)
        yield engine


@asynccontextmanager
async def open_bot(
    url: str,
    rulebook: Rulebook,
    *,
    sink: Sink | None = None,
    batch_size: int = 1,
    platform: str = "replay",
    kind: type[Bot] = Bot,
) -> AsyncIterator[Bot]:
    """A started Bot (or `kind` of Bot) on a migrated database; buffered work is committed on exit.

    The callers are sequential runs (replay, backtest, shell, demo): an in-memory database
    is worked without a thread.
    """
    async with open_database(url, inline=True) as engine:
        bot = kind(
            engine,
            rulebook,
            sink=sink,
            batch_size=batch_size,
            platform=platform,
            private=is_memory_sqlite(database_url(url)),
        )
        await bot.start()
        try:
            yield bot
        finally:
            await bot.close()

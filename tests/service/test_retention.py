"""The daily retention sweep: one replica at a time on PostgreSQL, every community it stores."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from replaykit import PITCH_TEXT, T0, cmd, join, replay, rulebook, say
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.core.events import MemberJoined
from groupbot.core.rulebook import Rulebook
from groupbot.service.bot import RETENTION_EVERY, Bot
from groupbot.service.metrics import RETENTION_SWEEPS
from groupbot.storage.database import create_engine
from groupbot.storage.models import Community, Request

RULES = "[retention]\nmessage_days = 1\n"
LATER = T0 + timedelta(days=3)  # the request below was decided more than a day before


async def seed(database_url: str, rules: Rulebook) -> None:
    """A promotional post held in c1 and denied: its text is owed to retention."""
    events = [
        join("olive", 0, roles=["owner"]),
        join("ben", 1),
        say("ben", PITCH_TEXT, 2, id="m1"),
        cmd("olive", "deny", "1", "not this week", minute=3),
    ]
    code, _, errors = await replay(events, rules, database=database_url)
    assert code == 0, errors


async def request_text(engine: AsyncEngine) -> str:
    """The held post's text as committed."""
    async with engine.connect() as conn:
        return str(await conn.scalar(select(Request.text)))


def sweeps() -> tuple[float, float]:
    """Sweeps run and skipped so far (process-wide counters)."""
    return (
        RETENTION_SWEEPS.labels(result="swept")._value.get(),
        RETENTION_SWEEPS.labels(result="skipped")._value.get(),
    )


def arrival(n: int) -> MemberJoined:
    """Replica n's own event, three days on, in a server only it serves."""
    return MemberJoined(f"shard{n}", "U1", LATER, f"join:shard{n}", "Una")


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_two_replicas_sweeping_at_the_same_moment_sweep_once(
    database_url: str, engine: AsyncEngine
) -> None:
    rules = rulebook(RULES)
    await seed(database_url, rules)
    engines = [create_engine(database_url), create_engine(database_url)]
    # Each replica keeps its transaction open (no commit before 64 events): both sweeps fall
    # inside the same moment, and neither replica has ever seen community c1.
    bots = [Bot(e, rules, platform="discord", batch_size=64, shared=True) for e in engines]
    swept, skipped = sweeps()
    try:
        for n, bot in enumerate(bots):
            await bot.start()
            await bot.handle(arrival(n))
        due = LATER + RETENTION_EVERY
        async with asyncio.timeout(10):  # unguarded, the second would wait on the first's rows
            await bots[0].advance(due)  # sweeps, and holds the sweep until its transaction ends
            await bots[1].advance(due)  # finds it held: skips
        assert sweeps() == (swept + 1, skipped + 1)
        assert await request_text(engine) == PITCH_TEXT  # nothing committed yet
        for bot in bots:
            await bot.commit()
        assert await request_text(engine) == ""  # c1 swept by a replica that never served it

        await bots[1].advance(due + RETENTION_EVERY)  # alone the next day: it sweeps
        await bots[1].commit()
        assert sweeps() == (swept + 2, skipped + 1)
    finally:
        for bot in bots:
            await bot.close()
        for e in engines:
            await e.dispose()
    async with engine.connect() as conn:
        keys = set(await conn.scalars(select(Community.key)))
    assert keys == {"c1", "shard0", "shard1"}  # the sweep's timer made no community of its own


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_retention_purges_on_sqlite(database_url: str, engine: AsyncEngine) -> None:
    rules = rulebook(RULES)
    await seed(database_url, rules)
    bot = Bot(engine, rules, platform="discord", batch_size=64)
    swept, skipped = sweeps()
    try:
        await bot.start()
        await bot.handle(arrival(0))
        await bot.advance(LATER + RETENTION_EVERY)
        await bot.commit()
    finally:
        await bot.close()
    assert sweeps() == (swept + 1, skipped)
    assert await request_text(engine) == ""

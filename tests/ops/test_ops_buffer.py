"""PostgreSQL stopped under a live Bot fed as Discord feeds it: events held, then stored once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from opskit import Cluster, make_database, until
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.core.actions import Action, Welcome
from groupbot.core.events import CommandIssued, MemberJoined
from groupbot.core.rulebook import Rulebook
from groupbot.service.buffer import EventBuffer
from groupbot.service.live import start_live_bot
from groupbot.service.metrics import metrics_app
from groupbot.storage.database import create_engine, database_url
from groupbot.storage.migrate import upgrade
from groupbot.storage.models import FailedEvent, Member, ProcessedEvent

pytestmark = pytest.mark.ops

OUTAGE_SECONDS = 5.0
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def join(n: int) -> MemberJoined:
    """Newcomer n joins one of two servers, a minute after the one before (no DM pacing)."""
    community = f"g{n % 2}"
    return MemberJoined(community, f"U{n:03d}", T0 + timedelta(minutes=n), f"join:{n}", f"N{n}")


@pytest.fixture
async def engine(cluster: Cluster) -> AsyncIterator[AsyncEngine]:
    """A migrated database of its own on the test's cluster."""
    url, _ = await make_database(cluster.url, "groupbot_buffer")
    db = create_engine(database_url(url))
    await upgrade(db)
    try:
        yield db
    finally:
        await db.dispose()


async def rows(engine: AsyncEngine, model: type[Member | ProcessedEvent | FailedEvent]) -> int:
    """Rows of one table."""
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(model)) or 0)


async def test_events_held_through_an_outage_are_stored_once_in_order(
    cluster: Cluster, engine: AsyncEngine
) -> None:
    bot = await start_live_bot(engine, Rulebook(), "discord")
    welcomed: list[tuple[str, str]] = []

    def sink(action: Action) -> None:
        if isinstance(action, Welcome):
            welcomed.append((action.community, action.member))

    bot.sink = sink
    buffer = EventBuffer(bot, "discord", first_delay=0.05, max_delay=0.5)

    async def connected() -> bool:
        return True

    probe = TestClient(TestServer(metrics_app(engine, connected, {"events": buffer.ready})))
    await probe.start_server()
    try:

        async def readiness() -> tuple[int, dict[str, str]]:
            async with probe.get("/readyz") as response:
                return response.status, await response.json()

        before = [join(n) for n in range(4)]
        assert all(r is not None for r in await asyncio.gather(*map(buffer.handle, before)))
        assert (await readiness())[0] == 200

        await cluster.stop()
        down = time.monotonic()
        during = [join(n) for n in range(4, 34)]
        held = await asyncio.gather(*map(buffer.handle, during))  # as discord.py dispatches
        assert held == [None] * len(during) and len(buffer) == len(during)
        status, body = await readiness()
        assert status == 503 and body["database"] == "down" and body["events"] == "down"
        command = CommandIssued("g0", "O1", T0, "cmd:1", "general", "queue", ())
        with pytest.raises(OSError):  # a command is answered "try again", never held
            await buffer.handle(command)

        async def elapsed() -> bool:
            return time.monotonic() - down >= OUTAGE_SECONDS

        await until(elapsed, OUTAGE_SECONDS + 1, "the outage's length")
        assert len(buffer) == len(during) and buffer.waiting  # retried, nothing lost or stored
        await cluster.start()

        async def drained() -> bool:
            return not len(buffer) and (await readiness())[0] == 200

        await until(drained, 30, "the held events to be stored and /readyz to recover")
        after = [join(n) for n in range(34, 38)]
        assert all(r is not None for r in await asyncio.gather(*map(buffer.handle, after)))
    finally:
        await probe.close()
        await bot.close()
    everyone = before + during + after
    assert await rows(engine, ProcessedEvent) == len(everyone)
    assert await rows(engine, Member) == len(everyone)
    assert await rows(engine, FailedEvent) == 0  # an outage is not a poison event
    for community in ("g0", "g1"):  # each welcomed once, in the order they joined
        expected = [e.member for e in everyone if e.community == community]
        assert [m for c, m in welcomed if c == community] == expected

"""A real `groupbot run discord` through a PostgreSQL outage: joins held, then welcomed once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest
from opskit import ROOT, WELCOME_MARK, Cluster, free_port, make_database, until, upgrade

from groupbot.storage.database import create_engine
from tests.replaykit import seen_before

sys.path.insert(0, str(ROOT / "tests" / "discord"))
from fakediscord import FakeDiscord, snowflake, user

pytestmark = pytest.mark.ops

OUTAGE_SECONDS = 5.0


@pytest.fixture
async def discord() -> AsyncIterator[FakeDiscord]:
    """The fake Discord REST API and gateway, with one server."""
    server = FakeDiscord()
    server.add_guild()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def status(session: aiohttp.ClientSession, url: str) -> tuple[int | None, dict[str, Any]]:
    """An HTTP probe's status and JSON body (None when nothing answers)."""
    try:
        async with session.get(url) as response:
            return response.status, await response.json()
    except (aiohttp.ClientError, OSError, TimeoutError, ValueError):
        return None, {}


def welcomes(fake: FakeDiscord, members: list[dict[str, Any]]) -> list[int]:
    """How many welcomes each member got (the bot greets newcomers in #general)."""
    general = next(iter(fake.guilds.values())).channels["general"]
    posts = [str(c.body.get("content")) for c in fake.posted(f"/channels/{general}/messages")]
    greetings = [p for p in posts if WELCOME_MARK in p]
    return [sum(f"<@{m['id']}>" in p for p in greetings) for m in members]


async def processed(database: str) -> int:
    """Events stored."""
    conn = await asyncpg.connect(database, timeout=10)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM processed_events"))
    finally:
        await conn.close()


async def test_joins_during_an_outage_are_welcomed_once_and_sigterm_stores_what_is_held(
    cluster: Cluster, discord: FakeDiscord, rules: Path, session: aiohttp.ClientSession
) -> None:
    database, _ = await make_database(cluster.url, "groupbot_discord")
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "GROUPBOT_", "DISCORD_"))
    }
    env |= {
        "DISCORD_TOKEN": "fake.token.value",
        "DISCORD_API_URL": discord.api_url,
        "DISCORD_GATEWAY_URL": discord.gateway_url,
        "GROUPBOT_DATABASE_URL": database,
    }
    await upgrade(env)
    guild = next(iter(discord.guilds.values()))
    engine = create_engine(database)
    try:
        await seen_before(engine, str(guild.id))  # served before: no first-run shadow period
    finally:
        await engine.dispose()
    port = free_port()
    readyz = f"http://127.0.0.1:{port}/readyz"
    command = [
        *(sys.executable, "-c", "from groupbot.cli import main; main()", "run", "discord"),
        *("--metrics-port", str(port), "--rules", str(rules)),
    ]
    members = [user(snowflake(), f"newcomer{n}") for n in range(15)]
    with tempfile.TemporaryFile() as log:
        proc = await asyncio.create_subprocess_exec(
            *command, env=env, cwd=ROOT, stdout=log, stderr=log
        )

        def output() -> str:
            log.flush()
            log.seek(0)
            return log.read().decode(errors="replace")[-4000:]

        try:

            async def ready() -> bool:
                if proc.returncode is not None:
                    raise AssertionError(f"exited with {proc.returncode}:\n{output()}")
                return (await status(session, readyz))[0] == 200

            await until(ready, 60, "the Discord bot to be ready")
            for member in members[:3]:
                await discord.join(guild, member)

            async def welcomed(upto: int) -> bool:
                return all(welcomes(discord, members[:upto]))

            await until(lambda: welcomed(3), 20, "the first welcomes")

            await cluster.stop()
            down = time.monotonic()

            async def unready() -> bool:
                code, body = await status(session, readyz)
                return code == 503 and body.get("database") == "down"

            await until(unready, 10, "/readyz to fail with the database down")
            for member in members[3:13]:  # Discord sends each once: nothing redelivers them
                await discord.join(guild, member)

            async def held() -> bool:
                return (await status(session, readyz))[1].get("events") == "down"

            await until(held, 10, "the joins to be held")

            async def elapsed() -> bool:
                return time.monotonic() - down >= OUTAGE_SECONDS

            await until(elapsed, OUTAGE_SECONDS + 1, "the outage's length")
            assert proc.returncode is None, output()
            await cluster.start()
            await until(ready, 30, "/readyz to recover with the database back")
            await until(lambda: welcomed(13), 30, "every welcome owed through the outage")
            assert welcomes(discord, members[:13]) == [1] * 13, output()

            # SIGTERM as the database comes back with joins held: stored before the exit (the
            # stop retries at once rather than after the backoff).
            await cluster.stop()
            await until(unready, 10, "/readyz to fail again")
            for member in members[13:]:
                await discord.join(guild, member)
            await until(held, 10, "the last joins to be held")
            await cluster.start()
            proc.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(proc.wait(), 30)
            assert code == 0, output()
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        text = output()
    assert await processed(database) == 15, text
    assert "holding discord events" in text and "LOST" not in text, text

"""The real network path: discord.py against a loopback fake of Discord's REST API and gateway."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import discord
import pytest
import yarl
from discord.gateway import DiscordWebSocket
from fakediscord import Call, FakeDiscord, snowflake, user
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.adapters.discord.bot import CONTENT_MISSING, GroupbotClient
from groupbot.adapters.discord.run import point_at, run_discord
from groupbot.core.rulebook import Rulebook
from groupbot.service.bot import Bot
from groupbot.service.settings import Settings
from groupbot.storage.database import create_engine
from groupbot.storage.models import OutboxMessage
from tests.replaykit import seen_before

PROMO = "Check out my new course at https://mycourse.example.com and use my code SAVE20!"
MESSAGE_CONTENT = 1 << 15


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A started fake; the REST and gateway base URLs are restored afterwards."""
    base, gateway = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    server = FakeDiscord()
    yield server
    await server.stop()
    discord.http.Route.BASE = base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(str(gateway))


@contextlib.asynccontextmanager
async def running(
    fake: FakeDiscord,
    database_url: str,
    rulebook: Rulebook,
    *,
    new_servers: bool = False,
    **options: Any,
) -> AsyncIterator[asyncio.Task[None]]:
    """`groupbot run discord` as a task, pointed at the fake, until the block ends.

    The fake's guilds are ones groupbot served before, unless `new_servers` (first runs).
    """
    if not new_servers:
        db = create_engine(database_url)
        try:
            for gid in fake.guilds:
                await seen_before(db, str(gid))
        finally:
            await db.dispose()
    settings = Settings(
        discord_token="fake.token.value",
        discord_api_url=fake.api_url,
        discord_gateway_url=fake.gateway_url,
        groupbot_database_url=database_url,
    )
    task = asyncio.create_task(
        run_discord(
            settings,
            rulebook,
            shard_count=options.get("shard_count"),
            shard_ids=options.get("shard_ids"),
            dev_guild=options.get("dev_guild"),
            host="127.0.0.1",
            metrics_port=None,
            guild_ready_timeout=0.05,
        )
    )
    try:
        await fake.until(lambda: bool(fake.identifies) or task.done())
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def texts(calls: list[Call]) -> list[str]:
    """Contents of message bodies."""
    return [str(c.body.get("content") or "") for c in calls if isinstance(c.body, dict)]


def sent_to(fake: FakeDiscord, channel: int) -> Callable[[], list[Call]]:
    """Messages the bot posted in a channel."""
    return lambda: fake.posted(f"/channels/{channel}/messages")


def components(call: Call) -> list[str]:
    """Custom ids of a message's buttons."""
    rows = call.body.get("components") or []
    return [c["custom_id"] for row in rows for c in row["components"]]


async def test_run_discord_end_to_end(
    fake: FakeDiscord, database_url: str, rulebook: Rulebook
) -> None:
    guild = fake.add_guild()
    await fake.start()
    general, mods = guild.channels["general"], guild.channels["moderators"]
    owner = guild.members[guild.id + 100]["user"]
    async with running(fake, database_url, rulebook):
        assert fake.commands and {c["name"] for c in fake.commands} >= {"share", "approve"}
        approve = next(c for c in fake.commands if c["name"] == "approve")
        assert int(approve["default_member_permissions"]) == 1 << 5
        ann = user(snowflake(), "ann")
        await fake.join(guild, ann)
        await fake.until(lambda: bool(sent_to(fake, general)()))
        assert f"<@{ann['id']}>" in texts(sent_to(fake, general)())[0]

        promo = await fake.post_message(guild, "general", ann, PROMO)
        await fake.until(lambda: bool(sent_to(fake, mods)()))
        assert fake.posted(f"/messages/{promo['id']}", "DELETE")
        dm = fake.dm_channels[int(ann["id"])]
        assert any("SAVE20" in t for t in texts(sent_to(fake, dm)()))
        notice = sent_to(fake, mods)()[0]
        assert components(notice) == ["groupbot:approve:1", "groupbot:deny:1"]

        # A member who is not an owner cannot approve, by command or by button.
        bob = user(snowflake(), "bob")
        data = {
            "id": approve["id"],
            "name": "approve",
            "type": 1,
            "options": [{"name": "request", "type": 3, "value": "1"}],
        }
        await fake.interact(guild, bob, data)
        click = {"custom_id": "groupbot:approve:1", "component_type": 2}
        message = fake._message(str(mods), notice.body, str(snowflake()))
        await fake.interact(guild, bob, click, kind=3, message=message)
        refusals = lambda: [t for t in texts(fake.posted("/webhooks/")) if "Only owners" in t]  # noqa: E731
        await fake.until(lambda: len(refusals()) == 2)

        # The owner approves with the button: published, member told, notice edited.
        await fake.interact(guild, owner, click, kind=3, owner=True, message=message)
        await fake.until(lambda: bool(fake.posted(f"/channels/{mods}/messages/", "PATCH")))
        await fake.until(lambda: len(sent_to(fake, general)()) == 2)
        published = sent_to(fake, general)()[1].body["embeds"][0]
        assert "SAVE20" in published["description"]
        edit = fake.posted(f"/channels/{mods}/messages/", "PATCH")[0]
        assert edit.body["components"] == []
        await fake.until(
            lambda: any("Approved request #1" in t for t in texts(fake.posted("/webhooks/")))
        )

        # A second decision, by command, is refused.
        await fake.interact(guild, owner, data, owner=True)
        await fake.until(
            lambda: any("already approved" in t for t in texts(fake.posted("/webhooks/")))
        )
        callbacks = fake.posted("/callback")
        assert len(callbacks) == 4 and all(c.body["type"] == 5 for c in callbacks)


async def test_reconnect_resumes_and_keeps_handling(
    fake: FakeDiscord, database_url: str, rulebook: Rulebook
) -> None:
    guild = fake.add_guild()
    await fake.start()
    general = guild.channels["general"]
    async with running(fake, database_url, rulebook):
        await fake.join(guild, user(snowflake(), "ann"))
        await fake.until(lambda: len(sent_to(fake, general)()) == 1)
        await fake.drop(0, code=4000)
        await fake.join(guild, user(snowflake(), "bob"))  # buffered, replayed on resume
        await fake.until(lambda: fake.resumes == 1)
        await fake.until(lambda: len(sent_to(fake, general)()) == 2)
        await fake.join(guild, user(snowflake(), "cy"))
        await fake.until(lambda: len(sent_to(fake, general)()) == 3)
        assert len(fake.identifies) == 1


async def test_missing_message_content_is_said_once_and_welcomes_go_on(
    database_url: str, rulebook: Rulebook
) -> None:
    base, gateway = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    fake = FakeDiscord(app_flags=1 << 15)  # members granted, message content not
    guild = fake.add_guild()
    await fake.start()
    try:
        async with running(fake, database_url, rulebook):
            assert not fake.identifies[0]["intents"] & MESSAGE_CONTENT
            mods = guild.channels["moderators"]
            await fake.until(lambda: CONTENT_MISSING in texts(sent_to(fake, mods)()))
            await fake.join(guild, user(snowflake(), "ann"))
            await fake.until(lambda: len(sent_to(fake, guild.channels["general"])()) == 1)
            assert texts(sent_to(fake, mods)()).count(CONTENT_MISSING) == 1
    finally:
        await fake.stop()
        discord.http.Route.BASE = base
        DiscordWebSocket.DEFAULT_GATEWAY = gateway


async def test_two_processes_split_the_shards_over_one_database(
    engine: AsyncEngine, rulebook: Rulebook
) -> None:
    base, gateway = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    fake = FakeDiscord(shards=2)
    guilds = [fake.add_guild(shard) for shard in (0, 1)]
    for guild in guilds:
        await seen_before(engine, str(guild.id))
    await fake.start()
    point_at(fake.api_url, fake.gateway_url)
    clients: list[GroupbotClient] = []
    tasks: list[asyncio.Task[None]] = []
    try:
        for shard in (0, 1):
            core = Bot(engine, rulebook, platform="discord")
            await core.start()
            client = GroupbotClient(
                core, rulebook, shard_count=2, shard_ids=[shard], guild_ready_timeout=0.05
            )
            clients.append(client)
            tasks.append(asyncio.create_task(client.start("fake.token.value")))
        await fake.until(lambda: len(fake.identifies) == 2)
        assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 2), (1, 2)]
        await fake.until(lambda: all(c.is_ready() for c in clients))
        assert [len(c.guilds) for c in clients] == [1, 1]
        promos = []
        for guild in guilds:
            ann = user(snowflake(), "ann")
            await fake.join(guild, ann)
            promos.append(await fake.post_message(guild, "general", ann, PROMO))
        for guild, promo in zip(guilds, promos, strict=True):
            mods = guild.channels["moderators"]
            await fake.until(lambda m=mods: len(sent_to(fake, m)()) == 1)  # type: ignore[misc]
            await fake.until(lambda p=promo: bool(fake.posted(f"/messages/{p['id']}", "DELETE")))  # type: ignore[misc]

        async def owed() -> int:
            async with engine.connect() as conn:
                return int(await conn.scalar(select(func.count()).select_from(OutboxMessage)) or 0)

        for _ in range(200):  # delivered rows leave the outbox when their round commits
            if not await owed():
                break
            await asyncio.sleep(0.02)
        assert await owed() == 0  # nothing pending or failed: each shard delivered its own
        for guild in guilds:
            assert len(sent_to(fake, guild.channels["general"])()) == 1
            assert len(sent_to(fake, guild.channels["moderators"])()) == 1
    finally:
        for client in clients:
            await client.close()
            await client.core.close()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        await fake.stop()
        discord.http.Route.BASE = base
        DiscordWebSocket.DEFAULT_GATEWAY = gateway

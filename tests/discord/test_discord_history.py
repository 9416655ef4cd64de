"""The install-time history read on Discord: the real client against the loopback fake."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import discord
from discord.gateway import DiscordWebSocket
from fakediscord import FakeDiscord, Guild, snowflake, user
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.adapters.discord.bot import GroupbotClient
from groupbot.adapters.discord.run import point_at
from groupbot.core.rulebook import Rulebook
from groupbot.service.bot import Bot
from groupbot.storage.models import AuditEntry, HistoryWarmup, Member, Post
from groupbot.storage.repositories import CommunityRow
from groupbot.storage.unit import UnitOfWork

CHAT = "the deploy on day {n} went fine, thanks for the help"
PROMO = "Check out my new course at https://mycourse.example.com and use my code SAVE20!"


@contextlib.asynccontextmanager
async def connected(fake: FakeDiscord, engine: AsyncEngine) -> AsyncIterator[GroupbotClient]:
    """The real client on the fake, ready, closed at the end."""
    base, gateway = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    await fake.start()
    point_at(fake.api_url, fake.gateway_url)
    core = Bot(engine, Rulebook(), platform="discord")
    await core.start()
    client = GroupbotClient(core, Rulebook(), shard_count=1, guild_ready_timeout=0.05)
    task = asyncio.create_task(client.start("fake.token.value"))
    try:
        await fake.until(client.is_ready)
        yield client
    finally:
        await client.close()
        await core.close()
        with contextlib.suppress(BaseException):
            await task
        await fake.stop()
        discord.http.Route.BASE = base
        DiscordWebSocket.DEFAULT_GATEWAY = gateway


def regular(fake: FakeDiscord, guild: Guild) -> dict[str, object]:
    """Reg chatted in #general for two weeks; a bot spoke too; #moderators is hidden."""
    reg = user(snowflake(), "reg")
    now = time.time()
    for n in range(12):
        fake.past_message(guild, "general", reg, CHAT.format(n=n), now - (20 - n) * 86400)
    fake.past_message(guild, "general", user(snowflake(), "ci", bot=True), "build ok", now - 60)
    fake.past_message(guild, "general", reg, "older than thirty days", now - 40 * 86400)
    guild.hidden.add("moderators")
    fake.past_message(guild, "moderators", reg, "not for the bot", now - 3600)
    return reg


async def rows(engine: AsyncEngine, model: type[object]) -> int:
    """Committed rows of a table."""
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(model)) or 0)  # type: ignore[arg-type]


async def test_history_read_at_start_for_a_server_never_read(engine: AsyncEngine) -> None:
    fake = FakeDiscord()
    guild = fake.add_guild()
    reg = regular(fake, guild)
    async with engine.begin() as conn:  # served before this feature: no first run, no shadow
        await CommunityRow(UnitOfWork(conn), str(guild.id)).claim(datetime.now(UTC))
    async with connected(fake, engine) as client:
        await client.history.idle()
        reads = fake.posted("/messages", "GET")
        hidden = f"/channels/{guild.channels['moderators']}/"
        assert reads and not [c for c in reads if c.path.startswith(hidden)]  # not even asked
        assert await rows(engine, Post) == 12
        async with engine.connect() as conn:
            members = (await conn.execute(select(Member.member, Member.post_count))).all()
            status = (await conn.execute(select(HistoryWarmup.status))).scalars().all()
        assert members == [(reg["id"], 12)] and status == ["done"]
        assert fake.posted("/messages", "POST") == [] and await rows(engine, AuditEntry) == 0

        # Reg is a regular on day one: their link spends budget, their (re)join is no news.
        await fake.post_message(guild, "general", reg, PROMO)
        await fake.join(guild, reg)
        newbie = user(snowflake(), "nia")
        await fake.join(guild, newbie)
        general = f"/channels/{guild.channels['general']}/messages"
        await fake.until(lambda: bool(fake.posted(general)))
        welcomes = [str(c.body.get("content")) for c in fake.posted(general)]
        assert len(welcomes) == 1 and f"<@{newbie['id']}>" in welcomes[0]
        assert reg["id"] not in welcomes[0]
        assert await rows(engine, Post) == 13


async def test_a_server_joined_later_is_read_once(engine: AsyncEngine) -> None:
    fake = FakeDiscord()
    fake.add_guild()
    async with connected(fake, engine) as client:
        await client.history.idle()
        second = fake.add_guild(n=1)
        regular(fake, second)
        joined = {k: v for k, v in second.payload().items() if k != "unavailable"}  # a join
        await fake.dispatch(second.id, "GUILD_CREATE", joined)
        read = f"/channels/{second.channels['general']}/messages"
        await fake.until(lambda: bool(fake.posted(read, "GET")))  # started by on_guild_join
        await client.history.idle()
        async with engine.connect() as conn:
            done = (await conn.execute(select(HistoryWarmup.community, HistoryWarmup.status))).all()
        assert sorted(done) == sorted([(str(g), "done") for g in fake.guilds])
        assert await rows(engine, Post) == 12
        # The second server had its first run too (the owner's guide), then its history read.
        assert [c for c in fake.posted("/messages") if "is now set up" in str(c.body)]
        await client.on_ready()  # a reconnect: nothing is read again
        await client.history.idle()
        assert await rows(engine, Post) == 12

"""The guided first run on Discord: simcord at start-up, and the real client joining a server."""

from __future__ import annotations

import asyncio

import simcord
from discordworld import make_client, simulated
from fakediscord import FakeDiscord, snowflake, user
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from test_discord_network import fake, running, sent_to, texts

from groupbot.core.rulebook import Rulebook
from groupbot.service.bot import Bot
from groupbot.storage.database import create_engine
from groupbot.storage.models import AuditEntry

__all__ = ["fake"]


def guides(env: simcord.Env, guild: simcord.GuildHandle) -> list[str]:
    """What the bot said to the guild's owner in private."""
    return [m.content for m in guild.owner.dm_channel.history()]


async def audited(engine: AsyncEngine, action: str) -> int:
    """How many actions of one kind the bot recorded."""
    async with engine.connect() as conn:
        found = await conn.scalar(select(func.count()).where(AuditEntry.action == action))
        return int(found or 0)


async def test_a_server_never_seen_is_guided_at_start_up_once(
    core: Bot, rulebook: Rulebook, engine: AsyncEngine
) -> None:
    async with simulated(core, rulebook, new_server=True) as env:
        guild, channels, _ = env.holder["world"]  # type: ignore[attr-defined]
        await env.settle()
        [guide] = guides(env, guild)
        assert "groupbot is now set up in Makers" in guide
        assert "I watch #introductions" in guide
        assert "requests for approval go to #moderators" in guide
        assert "shadow mode" in guide and "/groupbot shadow off" in guide
        assert "/groupbot settings" in guide and "/groupbot config set" in guide
        assert core.communities.shadow(str(guild.id))
        guild.add_member(env.create_user("ann"))
        await env.settle()
        assert channels["general"].last_message is None  # the welcome was only recorded
        assert await audited(engine, "shadow_decision") == 1
        fresh = Bot(engine, rulebook, platform="discord")
        await fresh.start()
        await env.restart_bot(make_client(fresh, rulebook, env.holder))  # type: ignore[attr-defined]
        await env.settle()
        assert len(guides(env, guild)) == 1 and await audited(engine, "first_run_guide") == 1
        await fresh.close()


async def test_the_manager_who_added_the_bot_is_guided_not_the_owner(
    core: Bot, rulebook: Rulebook
) -> None:
    async with simulated(core, rulebook, new_server=True, added_by="mia") as env:
        guild, _, _ = env.holder["world"]  # type: ignore[attr-defined]
        await env.settle()
        mia = env.holder["added_by"]  # type: ignore[attr-defined]
        [guide] = [m.content for m in mia.user.dm_channel.history()]
        assert "groupbot is now set up in Makers" in guide
        assert guides(env, guild) == []  # the owner did not add it: they are not told


async def test_joining_a_new_server_tells_its_owner(
    fake: FakeDiscord, database_url: str, rulebook: Rulebook
) -> None:
    known = fake.add_guild()
    await fake.start()
    async with running(fake, database_url, rulebook):
        await fake.until(lambda: bool(fake.commands))
        joined = fake.add_guild(n=1)
        await fake.dispatch(joined.id, "GUILD_CREATE", joined.payload())
        await fake.until(lambda: joined.id + 100 in fake.dm_channels)
        dm = fake.dm_channels[joined.id + 100]
        await fake.until(lambda: bool(sent_to(fake, dm)()))
        [guide] = texts(sent_to(fake, dm)())
        assert "I watch #introductions" in guide and "#moderators" in guide
        assert "shadow mode" in guide
        assert known.id + 100 not in fake.dm_channels  # served before: nothing to say
        await fake.join(joined, user(snowflake(), "ann"))
        engine = create_engine(database_url)
        try:  # the newcomer's welcome is only recorded: the server is in its shadow period
            for _ in range(500):  # bounded: the join is handled within moments
                if await audited(engine, "shadow_decision"):
                    break
                await asyncio.sleep(0.02)
            assert await audited(engine, "welcome") == 0
            assert not sent_to(fake, joined.channels["general"])()
        finally:
            await engine.dispose()

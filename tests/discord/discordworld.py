"""Fixtures for the Discord adapter: a core Bot on the test database and a simcord world."""

from __future__ import annotations

from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import discord
import pytest
import simcord
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.adapters.discord.bot import GroupbotClient
from groupbot.core.rulebook import Rulebook, parse_rulebook
from groupbot.service.bot import Bot
from tests.replaykit import seen_before

RULEBOOK = """
[community]
name = "Makers"

[channels]
moderators = "moderators"
"""


@pytest.fixture
def rulebook() -> Rulebook:
    """Defaults, with a moderators' channel and a community name."""
    return parse_rulebook(RULEBOOK, source="test.toml")


@dataclass
class World:
    """A simcord guild with the channels the rulebook names, and the bot's pieces."""

    env: simcord.Env
    guild: simcord.GuildHandle
    general: simcord.ChannelHandle
    intros: simcord.ChannelHandle
    promotions: simcord.ChannelHandle
    moderators: simcord.ChannelHandle
    owner: simcord.MemberActor
    holder: dict[str, Any]

    @property
    def client(self) -> GroupbotClient:
        """The running client (a new one after a restart)."""
        client: GroupbotClient = self.holder["client"]
        return client


def make_client(core: Bot, rulebook: Rulebook, holder: dict[str, Any]) -> GroupbotClient:
    """A client whose idle outbox wait simcord knows is intentional."""

    async def idle(wait: Coroutine[Any, Any, None]) -> None:
        await holder["env"].external_wait(wait, reason="groupbot outbox idle")

    client = GroupbotClient(core, rulebook, shard_count=1, idle=idle, tick_seconds=60)
    holder["client"] = client
    return client


@pytest.fixture
async def core(engine: AsyncEngine, rulebook: Rulebook) -> AsyncIterator[Bot]:
    """The core engine on the test's database, as the Discord bot runs it."""
    bot = Bot(engine, rulebook, platform="discord")
    await bot.start()
    yield bot
    await bot.close()


@asynccontextmanager
async def simulated(
    core: Bot, rulebook: Rulebook, *, new_server: bool = False, added_by: str | None = None
) -> AsyncIterator[simcord.Env]:
    """A running simcord environment with one guild set up for groupbot.

    The guild is one groupbot served before, unless `new_server` (its first run). `added_by`
    names a manager whom the audit log shows adding the bot.
    """
    holder: dict[str, Any] = {}
    env = simcord.Env(make_client(core, rulebook, holder))
    holder["env"] = env
    guild = env.create_guild("Makers Guild")
    channels = {n: guild.create_text_channel(n) for n in ("general", "introductions", "promotions")}
    helpers = guild.create_role("Helpers")  # may read #moderators, but are not owners
    channels["moderators"] = guild.create_text_channel(
        "moderators",
        overwrites={
            guild.default_role: discord.PermissionOverwrite(view_channel=False),
            helpers: discord.PermissionOverwrite(view_channel=True),
            guild.roles[env.backend.bot_user.name]: discord.PermissionOverwrite(view_channel=True),
        },
    )
    admins = guild.create_role("Admins", permissions=discord.Permissions(manage_guild=True))
    owner = guild.add_member(env.create_user("olivia"), roles=[admins, helpers])
    if added_by is not None:
        adder = guild.add_member(env.create_user(added_by), roles=[admins])
        env.backend.record_audit_log(
            guild.id,
            discord.AuditLogAction.bot_add.value,
            target_id=env.backend.bot_user.id,
            user_id=adder.id,
        )
        holder["added_by"] = adder
    holder["world"] = (guild, channels, owner)
    env.holder = holder  # type: ignore[attr-defined]
    if not new_server:
        await seen_before(core.db, str(guild.id))
    await env.start()
    yield env
    await env.shutdown()
    env.raise_errors()


@pytest.fixture
async def sim(core: Bot, rulebook: Rulebook) -> AsyncIterator[simcord.Env]:
    """A running simcord environment with one guild groupbot served before."""
    async with simulated(core, rulebook) as env:
        yield env


@pytest.fixture
def world(sim: simcord.Env) -> World:
    """The guild, its channels and the owner, around the running environment."""
    holder: dict[str, Any] = sim.holder  # type: ignore[attr-defined]
    guild, channels, owner = holder["world"]
    return World(
        sim,
        guild,
        channels["general"],
        channels["introductions"],
        channels["promotions"],
        channels["moderators"],
        owner,
        holder,
    )

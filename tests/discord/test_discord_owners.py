"""Owners' side in simcord: missing permissions, /groupbot, intents; and DM pacing."""

from __future__ import annotations

import discord
import limits.storage.memory
import pytest
from discordworld import World
from sqlalchemy.ext.asyncio import AsyncEngine
from test_discord_behaviour import PROMO, answers, dms, newcomer, requests

from groupbot.adapters.discord import pacing
from groupbot.adapters.discord.bot import CONTENT_MISSING
from groupbot.adapters.discord.pacing import DmPacer


async def test_missing_manage_messages_notes_queues_and_tells_owners_once(
    world: World, engine: AsyncEngine
) -> None:
    bot_role = world.guild.roles[world.env.backend.bot_user.name]
    shop = world.guild.create_text_channel(
        "shop", overwrites={bot_role: discord.PermissionOverwrite(manage_messages=False)}
    )
    ann = await newcomer(world, "ann")
    bob = await newcomer(world, "bob")
    await ann.send(shop, PROMO)
    await bob.send(shop, PROMO.replace("SAVE20", "BOB10"))
    texts = [m.content for m in world.moderators.history()]
    assert sum("Manage Messages" in t for t in texts) == 1
    assert len([m for m in world.moderators.history() if m.embeds]) == 2
    assert len([m for m in shop.history() if "https://mycourse" in m.content]) == 2  # still up
    assert any("You posted" in t for t in dms(ann)) and any("You posted" in t for t in dms(bob))
    assert [status for _, status, _ in await requests(engine)] == ["pending", "pending"]


async def test_groupbot_owner_commands(world: World) -> None:
    rules = await world.owner.slash(world.general, "groupbot rules")
    assert "promote before introduce: hold and queue" in answers(rules)
    assert rules.ephemeral
    shadow = await world.owner.slash(world.general, "groupbot shadow", mode="on")
    assert "Shadow mode is on" in answers(shadow)
    ann = await newcomer(world)
    await ann.send(world.general, PROMO)
    assert world.moderators.last_message is None  # shadow: nothing sent
    assert not any("You posted" in t for t in dms(ann))
    stats = await world.owner.slash(world.general, "groupbot stats")
    assert answers(stats)
    forget = await world.owner.slash(world.general, "groupbot forget", member=ann)
    assert f"Forgot {ann.id}" in answers(forget)


async def test_missing_message_content_is_told_once(world: World) -> None:
    world.client.content_granted = False
    guild = world.client.get_guild(world.guild.id)
    assert guild is not None
    await world.client.on_guild_available(guild)  # awaited: the notice reads the server's
    await world.client.on_guild_available(guild)  # settings, work simcord cannot see
    await world.env.settle()
    told = [m for m in world.moderators.history() if m.content == CONTENT_MISSING]
    assert len(told) == 1


async def test_owner_notices_go_to_the_moderators_channel_the_server_chose(world: World) -> None:
    await world.owner.slash(
        world.general, "groupbot config set", key="channels.moderators", value="#general"
    )
    world.client.content_granted = False
    guild = world.client.get_guild(world.guild.id)
    assert guild is not None
    await world.client.on_guild_available(guild)
    await world.env.settle()
    assert [m for m in world.general.history() if m.content == CONTENT_MISSING]
    assert not [m for m in world.moderators.history() if m.content == CONTENT_MISSING]


class Clock:
    """Stands in for the time module where the sliding window reads the time."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def time(self) -> float:
        """The wall-clock seconds the window sees."""
        return self.now


def test_dm_pacing_keeps_room_for_notes(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    monkeypatch.setattr(limits.storage.memory, "time", clock)
    monkeypatch.setattr(pacing, "time", clock)
    pacer = DmPacer(4, reserve=2)
    assert pacer.take("g", priority=False) is None
    assert pacer.take("g", priority=False) is None
    assert pacer.take("g", priority=False) == 60.0  # welcomes leave two slots
    assert pacer.take("g", priority=True) is None
    assert pacer.take("g", priority=True) is None
    assert pacer.take("g", priority=True) == 60.0
    assert pacer.take("other", priority=True) is None
    clock.now += 30
    assert pacer.take("g", priority=True) == 30.0  # the oldest slot frees at a minute
    clock.now += 31
    assert pacer.take("g", priority=False) is None

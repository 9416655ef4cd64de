"""Owner rights on Discord follow the interaction's member, never what the bot remembers."""

from __future__ import annotations

from discordworld import World, make_client
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from test_discord_behaviour import PROMO, answers, newcomer, requests

from groupbot.core.rulebook import Rulebook
from groupbot.service.bot import Bot
from groupbot.storage.models import Community, Member

REFUSED = "Only owners and moderators can"


async def shadow(engine: AsyncEngine) -> bool | None:
    """The server's stored shadow mode."""
    async with engine.connect() as conn:
        return await conn.scalar(select(Community.shadow_mode))


async def test_a_demoted_manager_loses_owner_rights_at_once(
    world: World, engine: AsyncEngine
) -> None:
    backend = world.env.backend
    admins = world.guild.roles["Admins"]
    mia = await newcomer(world, "mia")
    backend.add_member_role(world.guild.id, mia.id, admins.id)
    await world.env.settle()
    await mia.send(world.general, "Hello everyone, I help run this place.")
    on = await mia.slash(world.general, "groupbot shadow", mode="on")
    assert "Shadow mode is on" in answers(on)
    off = await mia.slash(world.general, "groupbot shadow", mode="off")
    assert "Shadow mode is off" in answers(off)
    async with engine.connect() as conn:
        stored = await conn.scalar(select(Member.roles).where(Member.member == str(mia.id)))
    assert stored is not None and "owner" in stored  # remembered while she was a manager
    for name in ("groupbot", "approve"):  # the server lets her still see the commands
        found = backend.find_command(name, world.guild.id)
        assert found is not None
        world.guild.set_command_permissions(int(found["id"]), {mia: True})
    backend.remove_member_role(world.guild.id, mia.id, admins.id)
    await world.env.settle()
    again = await mia.slash(world.general, "groupbot shadow", mode="on")
    assert REFUSED in answers(again)
    assert await shadow(engine) is False  # nothing changed
    ann = await newcomer(world, "ann")
    await ann.send(world.general, PROMO)
    approve = await mia.slash(world.general, "approve", request="1")
    assert REFUSED in answers(approve)
    assert [status for _, status, _ in await requests(engine)] == ["pending"]


async def test_a_manager_demoted_while_the_bot_was_down_is_refused_after_the_restart(
    world: World, engine: AsyncEngine, rulebook: Rulebook
) -> None:
    backend = world.env.backend
    admins = world.guild.roles["Admins"]
    mia = await newcomer(world, "mia")
    backend.add_member_role(world.guild.id, mia.id, admins.id)
    await world.env.settle()
    await mia.send(world.general, "Hello everyone, I help run this place.")  # stored: an owner
    ann = await newcomer(world, "ann")
    await ann.send(world.general, PROMO)
    found = backend.find_command("approve", world.guild.id)
    assert found is not None
    world.guild.set_command_permissions(int(found["id"]), {mia: True})
    fresh = Bot(engine, rulebook, platform="discord")
    await fresh.start()
    backend.remove_member_role(world.guild.id, mia.id, admins.id)
    await world.env.restart_bot(make_client(fresh, rulebook, world.holder))
    try:
        approve = await mia.slash(world.general, "approve", request="1")
        assert REFUSED in answers(approve)
        assert [status for _, status, _ in await requests(engine)] == ["pending"]
    finally:
        await fresh.close()

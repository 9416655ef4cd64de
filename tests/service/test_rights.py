"""Owner rights are the platform's current word: stored roles are a cache, never a grant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.core.actions import Action
from groupbot.core.events import CommandIssued, MemberJoined, MessagePosted
from groupbot.core.rulebook import Rulebook
from groupbot.service.bot import Bot
from groupbot.storage.models import Community, Member

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def command(n: int, mode: str, roles: frozenset[str] | None) -> CommandIssued:
    """`shadow MODE` from member U1 with the roles the platform reports (None: it did not say)."""
    return CommandIssued(
        "c1", "U1", T0 + timedelta(minutes=n), f"cmd:{n}", "shadow", (mode,), roles=roles
    )


def kinds(actions: list[Action]) -> list[str]:
    """The kinds of actions, in order."""
    return [a.kind for a in actions]


async def stored(engine: AsyncEngine) -> tuple[str | None, bool | None]:
    """U1's stored roles and the community's shadow mode."""
    async with engine.connect() as conn:
        roles = await conn.scalar(select(Member.roles).where(Member.member == "U1"))
        return roles, await conn.scalar(select(Community.shadow_mode))


async def test_a_demotion_is_honoured_across_a_restart(engine: AsyncEngine) -> None:
    bot = Bot(engine, Rulebook(), platform="slack")
    await bot.start()
    await bot.handle(MemberJoined("c1", "U1", T0, "join:U1", "Ann", frozenset({"admin"})))
    assert kinds(await bot.handle(command(1, "on", frozenset({"admin"})))) == [
        "shadow_mode_changed"
    ]
    await bot.close()
    assert await stored(engine) == ("admin", True)
    bot = Bot(engine, Rulebook(), platform="slack")  # a restart: only the database remembers
    await bot.start()
    assert kinds(await bot.handle(command(2, "off", frozenset()))) == ["command_rejected"]
    await bot.close()
    assert await stored(engine) == ("admin", True)  # refused: nothing changed


async def test_an_empty_role_set_is_the_platforms_word(engine: AsyncEngine) -> None:
    bot = Bot(engine, Rulebook(), platform="slack")
    await bot.start()
    await bot.handle(MemberJoined("c1", "U1", T0, "join:U1", "Ann", frozenset({"admin"})))
    post = MessagePosted(
        "c1", "U1", T0 + timedelta(minutes=1), "m1", "general", "m1", "hi", roles=frozenset()
    )
    await bot.handle(post)
    assert kinds(await bot.handle(command(2, "on", None))) == ["command_rejected"]
    await bot.close()
    assert await stored(engine) == ("", None)


async def test_unknown_roles_fall_back_to_the_last_word(engine: AsyncEngine) -> None:
    bot = Bot(engine, Rulebook(), platform="replay")
    await bot.start()
    await bot.handle(MemberJoined("c1", "U1", T0, "join:U1", "Ann", frozenset({"owner"})))
    assert kinds(await bot.handle(command(1, "on", None))) == ["shadow_mode_changed"]
    await bot.close()

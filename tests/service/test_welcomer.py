"""The welcomer: DM or channel, a per-minute pace, and one batched post for a burst of joins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.core.actions import Action, ShadowDecision, Welcome
from groupbot.core.events import MemberJoined
from groupbot.core.rulebook import Rulebook
from groupbot.service.bot import Bot
from groupbot.service.timers import TimerKind
from groupbot.storage.models import OutboxMessage, PendingWelcome

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def started(engine: AsyncEngine, platform: str = "replay", **settings: Any) -> Bot:
    """A started Bot for a platform, on a rulebook with these settings."""
    bot = Bot(engine, Rulebook.model_validate(settings), platform=platform)
    await bot.start()
    bot.clock = T0
    return bot


async def join(bot: Bot, n: int, seconds: float = 0, community: str = "c1") -> list[Action]:
    """Newcomer Un (named Nn) joins `seconds` after T0; what the welcomer does at once."""
    at = T0 + timedelta(seconds=seconds)
    repo = await bot.repository(community)
    state = await bot.members.get(repo, f"U{n}", at, f"N{n}")
    ev = MemberJoined(community, f"U{n}", at, f"join:{n}", f"N{n}")
    return bot.welcomer.joined(repo, ev, state, at)


def welcomes(actions: list[Action]) -> list[Welcome]:
    """The welcomes among actions."""
    return [a for a in actions if isinstance(a, Welcome)]


async def count(engine: AsyncEngine, model: type[Any]) -> int:
    """How many rows a table holds (committed)."""
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(model)) or 0)


async def test_slack_and_replay_welcome_by_dm(engine: AsyncEngine) -> None:
    for platform in ("slack", "replay"):
        bot = await started(engine, platform)
        (greeting,) = welcomes(await join(bot, 1, community=platform))
        assert (greeting.member, greeting.via, greeting.channel) == ("U1", "dm", None)
        assert greeting.text.startswith(f"Hi N1, welcome to {platform}!")
        await bot.close()


async def test_discord_welcomes_in_the_welcome_channel(engine: AsyncEngine) -> None:
    bot = await started(engine, "discord", channels={"welcome": "lobby"})
    (greeting,) = welcomes(await join(bot, 1))
    assert (greeting.via, greeting.channel, greeting.batch) == ("channel", "lobby", None)
    await bot.close()


async def test_the_rulebooks_mode_wins_over_the_platforms_habit(engine: AsyncEngine) -> None:
    bot = await started(engine, "discord", welcome={"mode": "dm"})
    assert [w.via for w in welcomes(await join(bot, 1))] == ["dm"]
    await bot.close()
    bot = await started(engine, "slack", welcome={"mode": "channel"})
    assert [w.via for w in welcomes(await join(bot, 2))] == ["channel"]
    await bot.close()


async def test_welcomes_beyond_the_minutes_budget_wait_for_one_batched_post(
    engine: AsyncEngine,
) -> None:
    bot = await started(engine, welcome={"dm_per_minute": 2})
    assert len(welcomes(await join(bot, 1, 0))) == 1
    assert len(welcomes(await join(bot, 2, 10))) == 1
    assert await join(bot, 3, 20) == []  # over budget: queued for the batch
    due = T0 + timedelta(seconds=20, minutes=1)
    assert bot.welcomer.batch_due("c1") == due
    assert bot.welcomer.pending_batches() == ["c1"]
    # Once a batch is pending, later newcomers join it even when the budget has room again.
    assert await join(bot, 4, 70) == []
    assert bot.welcomer.batch_due("c1") == due  # the batch is not pushed back
    timers = bot.timers.pop_due(due)
    assert [(t.kind, t.community, t.due) for t in timers if t.kind is not TimerKind.RETENTION] == [
        (TimerKind.WELCOME_BATCH, "c1", due)
    ]
    out = await bot.welcomer.batch(await bot.repository("c1"), due)
    assert [(w.member, w.via, w.batch) for w in welcomes(out)] == [
        ("U3", "channel", ("U3", "U4")),
        ("U4", "channel", ("U3", "U4")),
    ]
    assert len({w.text for w in welcomes(out)}) == 1  # one post greets them both
    assert "N3" in out[0].to_json()["text"] and "N4" in out[0].to_json()["text"]
    assert bot.welcomer.pending_batches() == []
    await bot.close()
    assert await count(engine, PendingWelcome) == 0
    # Four welcomes in all, but three posts owed: the batch is delivered once.
    assert await count(engine, OutboxMessage) == 3


async def test_the_budget_refills_after_a_minute(engine: AsyncEngine) -> None:
    bot = await started(engine, welcome={"dm_per_minute": 1})
    assert len(welcomes(await join(bot, 1, 0))) == 1
    assert await join(bot, 2, 59) == []
    await bot.welcomer.batch(await bot.repository("c1"), T0 + timedelta(seconds=119))
    assert len(welcomes(await join(bot, 3, 120))) == 1
    await bot.close()


async def test_each_community_has_its_own_pace(engine: AsyncEngine) -> None:
    bot = await started(engine, welcome={"dm_per_minute": 1})
    assert len(welcomes(await join(bot, 1, 0, "c1"))) == 1
    assert len(welcomes(await join(bot, 2, 1, "c2"))) == 1
    assert await join(bot, 3, 2, "c1") == []
    assert bot.welcomer.pending_batches() == ["c1"]
    await bot.close()


async def test_an_empty_batch_posts_nothing(engine: AsyncEngine) -> None:
    bot = await started(engine)
    assert await bot.welcomer.batch(await bot.repository("c1"), T0) == []
    await bot.close()


async def test_no_welcome_when_disabled(engine: AsyncEngine) -> None:
    bot = await started(engine, welcome={"enabled": False, "dm_per_minute": 1})
    assert [await join(bot, n, n) for n in range(3)] == [[], [], []]
    assert bot.welcomer.pending_batches() == []  # nor a batch
    await bot.close()


async def test_shadow_mode_only_records_the_welcome_it_would_send(engine: AsyncEngine) -> None:
    bot = await started(engine, shadow_mode=True)
    (decision,) = await join(bot, 1)
    assert isinstance(decision, ShadowDecision)
    assert (decision.member, decision.would) == ("U1", ("welcome",))
    await bot.close()
    assert await count(engine, OutboxMessage) == 0


async def test_a_pending_batch_survives_a_restart(engine: AsyncEngine) -> None:
    bot = await started(engine, welcome={"dm_per_minute": 1})
    await join(bot, 1, 0)
    await join(bot, 2, 5)
    await bot.close()
    again = await started(engine, welcome={"dm_per_minute": 1})
    due = T0 + timedelta(seconds=5, minutes=1)
    assert again.welcomer.pending_batches() == ["c1"]
    assert again.welcomer.batch_due("c1") == due
    out = await again.welcomer.batch(await again.repository("c1"), due)
    assert [w.member for w in welcomes(out)] == ["U2"]
    await again.close()

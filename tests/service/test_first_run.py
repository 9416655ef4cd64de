"""The guided first run: shadow mode for the first days, the installer told once, owners win."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.adapters.memory import MemoryPlatform
from groupbot.core.actions import (
    Action,
    EtiquetteNote,
    FirstRunGuide,
    ShadowDecision,
    ShadowModeChanged,
    StatsReported,
)
from groupbot.core.events import CommandIssued, Installed, MemberJoined, MessagePosted
from groupbot.core.rulebook import Rulebook, parse_rulebook
from groupbot.local.console import COMMUNITY, ConsoleSession
from groupbot.service.bot import Bot
from groupbot.service.first_run import BOT_AUTHOR, FirstRun
from groupbot.service.live import start_live_bot
from groupbot.service.runner import Runner
from groupbot.service.runtime import open_bot
from groupbot.storage.database import create_engine
from groupbot.storage.models import AuditEntry, Community, SettingChange
from groupbot.storage.outbox import OutboxWorker
from groupbot.storage.repositories import SHADOW_UNTIL
from tests.replaykit import PITCH_TEXT, cmd, join, replay, say

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def install(at: datetime = T0, community: str = "c1") -> Installed:
    """The installer O1 adds groupbot; the platform found #introductions, no moderators' room."""
    return Installed(community, "O1", at, intro=("introductions",), name="Makers")


async def pitch(bot: Bot, n: int, at: datetime) -> list[type[Action]]:
    """A newcomer promotes something before introducing themselves: the kinds of what follows."""
    await bot.handle(MemberJoined("c1", f"U{n}", at, f"j{n}", f"N{n}"))
    post = MessagePosted(
        "c1", f"U{n}", at + timedelta(minutes=1), f"m{n}", "general", f"m{n}", PITCH_TEXT
    )
    return [type(a) for a in await bot.handle(post)]


def owner_says(at: datetime, name: str, *args: str) -> CommandIssued:
    """An owner's command."""
    return CommandIssued(
        "c1", "O1", at, f"cmd-{at.isoformat()}", name, args, roles=frozenset({"owner"})
    )


async def history(engine: AsyncEngine, key: str = "shadow_mode") -> list[tuple[str, str | None]]:
    """The settings history of one key in c1: (author, new value as stored)."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(SettingChange.member, SettingChange.new)
            .where(SettingChange.community == "c1", SettingChange.key == key)
            .order_by(SettingChange.id)
        )
        return [(m, n) for m, n in rows]


async def guides(engine: AsyncEngine) -> int:
    """How many first-run DMs were ever recorded."""
    async with engine.connect() as conn:
        count = await conn.scalar(
            select(func.count()).where(AuditEntry.action == FirstRunGuide.KIND)
        )
        return int(count or 0)


def first_run_of(bot: Bot) -> FirstRun:
    """The first run beside a bot, as a live bot's runner keeps it."""
    return FirstRun(bot.db, bot.recorder, bot.communities)


@pytest.fixture
async def bot(engine: AsyncEngine) -> AsyncIterator[Bot]:
    """A live bot (group commit, shared database) on the test database."""
    started = await start_live_bot(engine, Rulebook(), "slack")
    yield started
    await started.close()


@pytest.fixture
def first(bot: Bot) -> FirstRun:
    """The bot's first run."""
    return first_run_of(bot)


async def test_first_run_starts_in_shadow_and_dms_the_installer_once(
    bot: Bot, first: FirstRun, engine: AsyncEngine
) -> None:
    done = await first.installed(install())
    again = await asyncio.gather(
        first.installed(install()), first.installed(install(T0 + timedelta(minutes=1)))
    )
    assert [type(a) for a in done] == [FirstRunGuide] and list(again) == [[], []]
    guide = done[0]
    assert isinstance(guide, FirstRunGuide)
    assert guide.member == "O1" and guide.shadow_until == "2026-03-09T09:00:00Z"
    assert "#introductions" in guide.text and "Makers" in guide.text
    assert "until 2026-03-09" in guide.text and "/groupbot shadow off" in guide.text
    assert "/groupbot config set" in guide.text and "/groupbot settings" in guide.text
    assert "owners by DM" in guide.text  # no moderators' channel: notices go by DM
    assert bot.communities.shadow("c1")
    assert await history(engine) == [(BOT_AUTHOR, "true")]
    assert await guides(engine) == 1
    platform = MemoryPlatform()
    await OutboxWorker(engine, platform).drain()
    assert [(d.kind, d.target) for d in platform.deliveries] == [("dm", "O1")]
    # In shadow mode a pitch is only recorded; nothing reaches the member.
    kinds = await pitch(bot, 1, T0 + timedelta(hours=1))
    assert ShadowDecision in kinds and EtiquetteNote not in kinds
    # What the owners watch: the stats count what the bot would have done.
    assert "/groupbot stats counts what I would have done" in guide.text
    [stats] = await bot.handle(owner_says(T0 + timedelta(hours=2), "stats"))
    assert isinstance(stats, StatsReported) and stats.stats["shadow_decisions"] == 2
    assert "Shadow mode: 2 decisions recorded, nothing sent" in stats.text


async def test_first_run_happens_once_across_replicas_and_restarts(database_url: str) -> None:
    engines = [create_engine(database_url), create_engine(database_url)]
    bots = [await start_live_bot(e, Rulebook(), "slack") for e in engines]
    try:
        runs = [first_run_of(b) for b in bots]
        outs = await asyncio.gather(*(r.installed(install()) for r in runs for _ in range(3)))
        assert sorted(len(o) for o in outs) == [0, 0, 0, 0, 0, 1]
        await bots[0].close()
        bots[0] = await start_live_bot(engines[0], Rulebook(), "slack")  # a restart
        assert await first_run_of(bots[0]).installed(install(T0 + timedelta(days=1))) == []
        assert await guides(engines[0]) == 1
        assert await history(engines[0]) == [(BOT_AUTHOR, "true")]
    finally:
        for b in bots:
            await b.close()
        for e in engines:
            await e.dispose()


async def test_the_shadow_period_ends_by_itself(
    bot: Bot, first: FirstRun, engine: AsyncEngine
) -> None:
    await first.tick(T0)  # a runner's first round: no period open yet
    await first.installed(install())
    await first.tick(T0 + WEEK - timedelta(seconds=1))
    assert bot.communities.shadow("c1")
    await first.tick(T0 + WEEK)
    assert not bot.communities.shadow("c1")
    assert await history(engine) == [(BOT_AUTHOR, "true"), (BOT_AUTHOR, None)]
    async with engine.connect() as conn:
        assert await conn.scalar(select(Community.shadow_mode)) is None  # back to the defaults
    assert EtiquetteNote in await pitch(bot, 2, T0 + WEEK + timedelta(minutes=1))


async def test_the_end_survives_a_restart_and_replicas_end_it_once(database_url: str) -> None:
    async with open_bot(database_url, Rulebook()) as bot:
        await first_run_of(bot).installed(install())
    engines = [create_engine(database_url), create_engine(database_url)]
    bots = [await start_live_bot(e, Rulebook(), "slack") for e in engines]
    try:  # two fresh processes read the open period from the database and both try to end it
        runs = [first_run_of(b) for b in bots]
        later = T0 + WEEK + timedelta(hours=1)
        ended = await asyncio.gather(*(r.end("c1", later) for r in runs))
        assert sorted(ended) == [False, True]
        await asyncio.gather(*(r.tick(later) for r in runs))  # nothing more to end
        assert EtiquetteNote in await pitch(bots[0], 3, later + timedelta(hours=1))
        assert await history(engines[0]) == [(BOT_AUTHOR, "true"), (BOT_AUTHOR, None)]
    finally:
        for b in bots:
            await b.close()
        for e in engines:
            await e.dispose()


async def test_an_event_during_the_installers_lookup_does_not_cancel_the_first_run(
    bot: Bot, first: FirstRun, engine: AsyncEngine
) -> None:
    assert await first.reserve("c1", T0)
    await bot.handle(MemberJoined("c1", "U1", T0, "j1", "Una"))  # while the platform is asked
    assert not await first.reserve("c1", T0)  # another replica's reserve: not theirs
    await first.installed(install(), reserved=True)
    assert await guides(engine) == 1 and bot.communities.shadow("c1")


async def test_a_period_another_replica_started_later_is_ended_here(database_url: str) -> None:
    engines = [create_engine(database_url), create_engine(database_url)]
    bots = [await start_live_bot(e, Rulebook(), "slack") for e in engines]
    try:
        here, there = first_run_of(bots[0]), first_run_of(bots[1])
        await here.tick(T0)  # this replica has read the open periods: none yet
        await there.installed(install())  # the other one installs, then goes away
        await here.tick(T0 + WEEK + timedelta(hours=1))  # read again, and due
        assert await history(engines[0]) == [(BOT_AUTHOR, "true"), (BOT_AUTHOR, None)]
    finally:
        for b in bots:
            await b.close()
        for e in engines:
            await e.dispose()


async def test_a_runner_ends_the_period_and_delivers_the_guide(engine: AsyncEngine) -> None:
    bot = await start_live_bot(engine, Rulebook(), "slack")
    platform = MemoryPlatform()
    runner = Runner(bot, platform, clock=lambda: T0 + WEEK, tick_seconds=0.01)
    stop = asyncio.Event()
    running = asyncio.create_task(runner.run(stop))
    try:
        await runner.first_run.installed(install())
        for _ in range(500):  # bounded: a round or two
            if platform.deliveries and not bot.communities.shadow("c1"):
                break
            await asyncio.sleep(0.01)
        assert [d.target for d in platform.deliveries] == ["O1"]
        assert not bot.communities.shadow("c1")
    finally:
        stop.set()
        runner.wake()
        await running
        await bot.close()


@pytest.mark.parametrize(("command", "stays"), [(("on",), True), (("off",), False)])
async def test_an_owners_choice_wins_over_the_end(
    bot: Bot, first: FirstRun, engine: AsyncEngine, command: tuple[str, ...], stays: bool
) -> None:
    await first.tick(T0)
    await first.installed(install())
    if stays:  # off and on again: the owner wants shadow mode, and keeps it
        await bot.handle(owner_says(T0 + timedelta(days=1), "shadow", "off"))
    out = await bot.handle(owner_says(T0 + timedelta(days=2), "shadow", *command))
    assert [type(a) for a in out] == [ShadowModeChanged]
    await first.tick(T0 + WEEK + timedelta(days=1))
    assert bot.communities.shadow("c1") is stays
    authors = [author for author, _ in await history(engine)]
    assert authors[0] == BOT_AUTHOR and BOT_AUTHOR not in authors[1:]


async def test_an_owners_config_set_also_wins(
    bot: Bot, first: FirstRun, engine: AsyncEngine
) -> None:
    await first.installed(install())
    await bot.handle(owner_says(T0 + timedelta(days=1), "config", "set", "shadow_mode", "true"))
    await first.tick(T0 + 2 * WEEK)
    assert bot.communities.shadow("c1")
    assert [author for author, _ in await history(engine)] == [BOT_AUTHOR, "O1"]


async def test_shadow_days_zero_means_no_shadow_period(engine: AsyncEngine) -> None:
    rules = parse_rulebook("[first_run]\nshadow_days = 0\n")
    seen: list[Action] = []
    bot = await start_live_bot(engine, rules, "discord")
    bot.sink = seen.append
    try:
        first = first_run_of(bot)
        [guide] = await first.installed(install())
        assert isinstance(guide, FirstRunGuide) and guide.shadow_until is None
        assert "active from now on" in guide.text and "shadow mode:" not in guide.text
        assert not bot.communities.shadow("c1")
        assert await history(engine) == [] and await history(engine, SHADOW_UNTIL) == []
        assert await first.installed(install()) == []  # still once
        assert EtiquetteNote in await pitch(bot, 5, T0 + timedelta(hours=1))
    finally:
        await bot.close()
    assert FirstRunGuide in [type(a) for a in seen]


async def test_a_community_seen_before_gets_no_first_run(
    bot: Bot, first: FirstRun, engine: AsyncEngine
) -> None:
    await pitch(bot, 4, T0)  # the bot served c1 before this feature (or this install)
    assert await first.unseen(["c1", "c2"]) == ["c2"]
    assert await first.installed(install(T0 + timedelta(days=1))) == []
    assert not bot.communities.shadow("c1") and await guides(engine) == 0


async def test_the_guide_speaks_the_communitys_language(engine: AsyncEngine) -> None:
    bot = await start_live_bot(engine, parse_rulebook('[community]\nlanguage = "es"\n'), "slack")
    try:
        [guide] = await first_run_of(bot).installed(install())
    finally:
        await bot.close()
    assert isinstance(guide, FirstRunGuide)
    assert "modo sombra" in guide.text and "canal de moderación" in guide.text
    assert "/groupbot config set" in guide.text


async def test_replay_communities_start_with_the_rulebook_as_it_is(database_url: str) -> None:
    events: list[dict[str, Any] | str] = [
        join("U1", 0),
        say("U1", PITCH_TEXT, 1),
        cmd("O1", "config", "show", "shadow_mode", minute=2),
        join("U2", 3, community="c2"),
    ]
    rules = parse_rulebook("[first_run]\nshadow_days = 7\n")
    code, actions, _ = await replay(events, rules, database_url)
    assert code == 0
    kinds = [a["action"] for a in actions]
    assert "first_run_guide" not in kinds and "shadow_decision" not in kinds
    assert "etiquette_note" in kinds  # coaching from the first post on
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(select(func.count()).select_from(SettingChange)) == 0
            modes = set(await conn.scalars(select(Community.shadow_mode)))
        assert modes == {None}
    finally:
        await engine.dispose()


async def test_a_period_that_cannot_end_now_is_tried_again_later(
    bot: Bot, first: FirstRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    await first.installed(install())
    real = first.end
    calls: list[datetime] = []

    async def flaky(community: str, now: datetime) -> bool:
        calls.append(now)
        if len(calls) == 1:
            raise ConnectionError("the database went away")
        return await real(community, now)

    monkeypatch.setattr(first, "end", flaky)
    await first.tick(T0 + WEEK)  # logged, kept for a minute later
    assert bot.communities.shadow("c1")
    await first.tick(T0 + WEEK + timedelta(seconds=30))
    assert len(calls) == 1
    await first.tick(T0 + WEEK + timedelta(minutes=1))
    assert len(calls) == 2 and not bot.communities.shadow("c1")


async def test_console_communities_start_with_the_rulebook_as_it_is(database_url: str) -> None:
    rules = parse_rulebook("[first_run]\nshadow_days = 7\n")
    async with open_bot(database_url, rules) as bot:
        session = ConsoleSession(bot, MemoryPlatform())
        session.actions = []
        bot.sink = session.actions.append
        for line in ("join olive owner", "join ben", "ben: " + PITCH_TEXT):
            await session.line(line)
        kinds = {type(a) for a in session.actions}
        assert EtiquetteNote in kinds and not kinds & {FirstRunGuide, ShadowDecision}
        assert not bot.communities.shadow(COMMUNITY)
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(select(func.count()).select_from(SettingChange)) == 0
    finally:
        await engine.dispose()

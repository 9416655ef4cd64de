"""The install-time history warm-up: regulars known on day one, nothing sent, run once."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.core.actions import Action, EtiquetteNote, Welcome
from groupbot.core.events import MemberJoined, MessagePosted
from groupbot.core.history import HistoryBounds, PastMessage, Progress
from groupbot.core.rulebook import Rulebook
from groupbot.service.bot import Bot
from groupbot.service.live import start_live_bot
from groupbot.service.warmup import LEASE, Background, HistoryReader, Outcome, Warmup
from groupbot.storage.database import create_engine
from groupbot.storage.models import AuditEntry, HistoryWarmup, OutboxMessage, Post
from groupbot.storage.repositories.warmups import HistoryWarmups

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PITCH = "Check out my new course at bensells{n}.example.com, 50% off this week only! DM me"
CHAT = "I think the release on {n} went fine, thanks for the help everyone"


def past(member: str, n: int, text: str, channel: str = "general") -> MessagePosted:
    """A message of `member` posted n hours before the install."""
    at = NOW - timedelta(days=20) + timedelta(hours=n)
    return MessagePosted("c1", member, at, f"h:{member}:{n}", channel, f"{member}.{n}", text)


def reader(
    posts: Sequence[MessagePosted],
    *,
    fail_after: int | None = None,
    gate: asyncio.Event | None = None,
) -> HistoryReader:
    """A history read over `posts`, resumable by index; it may fail after some or wait a gate."""
    seen: list[HistoryBounds] = []

    async def read(bounds: HistoryBounds, cursor: str) -> AsyncIterator[PastMessage]:
        seen.append(bounds)
        if gate is not None:
            await gate.wait()
        start = int(cursor or 0)
        for n, post in enumerate(posts[start:], start + 1):
            if fail_after is not None and n > fail_after:
                raise ConnectionError("the platform went away")
            yield PastMessage(post, str(n))

    read.seen = seen  # type: ignore[attr-defined]
    return read


@pytest.fixture
async def bot(engine: AsyncEngine) -> AsyncIterator[Bot]:
    """A live bot whose every action is recorded."""
    live = await start_live_bot(engine, Rulebook(), "slack")
    live.sink = ACTIONS.append
    ACTIONS.clear()
    yield live
    await live.close()


ACTIONS: list[Action] = []


async def count(engine: AsyncEngine, model: type[object]) -> int:
    """Rows of one table, committed."""
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(model)) or 0)  # type: ignore[arg-type]


def regulars() -> list[MessagePosted]:
    """Ann chats; Ben mostly sells; Cy asks and answers, across two channels."""
    posts = [past("UANN", n, CHAT.format(n=n)) for n in range(12)]
    posts += [past("UBEN", 20 + n, PITCH.format(n=n)) for n in range(5)]
    posts += [past("UBEN", 30 + n, CHAT.format(n=n), "random") for n in range(6)]
    posts += [past("UCY", 40 + n, "Has anyone tried the new build?", "random") for n in range(3)]
    return posts


async def live(bot: Bot, member: str, text: str, minutes: int = 1) -> list[Action]:
    """A live post `minutes` after the install."""
    at = NOW + timedelta(minutes=minutes)
    ev = MessagePosted("c1", member, at, f"E{member}{minutes}", "general", f"L{minutes}", text)
    return await bot.handle(ev)


async def test_a_regular_from_history_is_judged_on_history_not_the_cold_start(
    bot: Bot, engine: AsyncEngine
) -> None:
    assert await Warmup(bot, clock=lambda: NOW).run("c1", reader(regulars())) is Outcome.DONE
    # Ann's twelve posts are known: one link in thirteen posts is within her budget.
    out = await live(bot, "UANN", PITCH.format(n=99))
    assert not [a for a in out if isinstance(a, EtiquetteNote)]
    repo = await bot.repository("c1")
    state = await bot.members.get(repo, "UANN", NOW)
    assert state.window_counts() == (1, 13) and not state.is_new
    # Ben's history is mostly pitches: on day one his next one is past the 90/10 budget.
    notes = [
        a for a in await live(bot, "UBEN", PITCH.format(n=98), 2) if isinstance(a, EtiquetteNote)
    ]
    assert [n.rule for n in notes] == ["self_promo_ratio"]


async def test_without_history_the_same_pitch_is_not_judged(bot: Bot) -> None:
    out = await live(bot, "UBEN", PITCH.format(n=98))
    assert not [a for a in out if isinstance(a, EtiquetteNote)]  # two posts say nothing


async def test_nothing_is_sent_during_warm_up(bot: Bot, engine: AsyncEngine) -> None:
    posts = [*regulars(), past("UDAN", 60, "join my server https://discord.gg/abcdef")]
    assert await Warmup(bot, clock=lambda: NOW).run("c1", reader(posts)) is Outcome.DONE
    await bot.commit()
    assert ACTIONS == []
    assert await count(engine, OutboxMessage) == 0
    assert await count(engine, AuditEntry) == 0
    assert await count(engine, Post) == len(posts)


async def test_a_history_member_joining_later_is_not_welcomed(bot: Bot) -> None:
    await Warmup(bot, clock=lambda: NOW).run("c1", reader(regulars()))
    at = NOW + timedelta(minutes=5)
    assert await bot.handle(MemberJoined("c1", "UANN", at, "j1", "Ann")) == []
    greeted = await bot.handle(MemberJoined("c1", "UNEW", at, "j2", "Nia"))
    assert [(a.member, type(a)) for a in greeted] == [("UNEW", Welcome)]
    repo = await bot.repository("c1")
    assert not (await bot.members.get(repo, "UANN", at)).is_new


async def test_a_finished_warm_up_never_runs_again(bot: Bot, engine: AsyncEngine) -> None:
    warmup = Warmup(bot, clock=lambda: NOW)
    assert await warmup.needed("c1")
    assert await warmup.run("c1", reader(regulars())) is Outcome.DONE
    assert not await warmup.needed("c1")
    again = reader(regulars())
    assert await Warmup(bot, clock=lambda: NOW).run("c1", again) is Outcome.SKIPPED
    assert again.seen == []  # type: ignore[attr-defined]
    assert await count(engine, Post) == len(regulars())


async def test_a_post_counted_live_before_the_read_is_not_counted_again(
    bot: Bot, engine: AsyncEngine
) -> None:
    posts = regulars()
    first = posts[0]
    await bot.handle(first)  # it arrived live while the read was being set up
    assert await Warmup(bot, clock=lambda: NOW).run("c1", reader(posts)) is Outcome.DONE
    assert await count(engine, Post) == len(posts)  # once each


async def test_history_can_be_turned_off(engine: AsyncEngine) -> None:
    bot = await start_live_bot(
        engine, Rulebook.model_validate({"history": {"enabled": False}}), "slack"
    )
    try:
        read = reader(regulars())
        assert await Warmup(bot, clock=lambda: NOW).run("c1", read) is Outcome.SKIPPED
        assert read.seen == []  # type: ignore[attr-defined]
        assert await count(engine, Post) == 0
    finally:
        await bot.close()


async def test_bounds_follow_the_rulebook(bot: Bot) -> None:
    read = reader([])
    await Warmup(bot, clock=lambda: NOW).run("c1", read)
    (bounds,) = read.seen  # type: ignore[attr-defined]
    assert bounds == HistoryBounds(NOW - timedelta(days=30), NOW, 200, 2000)


@contextlib.asynccontextmanager
async def two_replicas(database_url: str) -> AsyncIterator[list[Bot]]:
    """Two bots on one database, each with its own engine, as two replicas are."""
    engines = [create_engine(database_url), create_engine(database_url)]
    bots = [await start_live_bot(e, Rulebook(), "slack") for e in engines]
    try:
        yield bots
    finally:
        for bot_ in bots:
            await bot_.close()
        for e in engines:
            await e.dispose()


async def test_two_concurrent_warm_ups_of_one_community_run_once(
    database_url: str, engine: AsyncEngine
) -> None:
    async with two_replicas(database_url) as bots:
        gate = asyncio.Event()
        reads = [reader(regulars(), gate=gate), reader(regulars(), gate=gate)]
        runs = [
            asyncio.create_task(Warmup(b, replica=f"r{n}", clock=lambda: NOW).run("c1", r))
            for n, (b, r) in enumerate(zip(bots, reads, strict=True))
        ]
        # The claimer waits at the gate, so the first to finish is the one that gave up.
        done, _ = await asyncio.wait(runs, return_when=asyncio.FIRST_COMPLETED)
        assert [t.result() for t in done] == [Outcome.HELD]
        gate.set()
        outcomes = sorted(await asyncio.gather(*runs))
        assert sorted(outcomes) == sorted([Outcome.DONE, Outcome.HELD])
        assert sum(len(r.seen) for r in reads) == 1  # type: ignore[attr-defined]
        assert await count(engine, Post) == len(regulars())


async def test_an_interrupted_warm_up_resumes_where_it_stopped(
    bot: Bot, engine: AsyncEngine
) -> None:
    posts = regulars()
    first = Warmup(bot, replica="r1", batch=5, clock=lambda: NOW)
    with pytest.raises(ConnectionError):
        await first.run("c1", reader(posts, fail_after=12))
    assert await count(engine, Post) == 10  # two whole batches, their progress with them
    # Another replica waits for the lease; once it runs out, it picks the read up.
    soon = Warmup(bot, replica="r2", batch=5, clock=lambda: NOW + timedelta(minutes=5))
    assert await soon.run("c1", reader(posts)) is Outcome.HELD
    later = Warmup(bot, replica="r2", batch=5, clock=lambda: NOW + timedelta(minutes=11))
    assert await later.run("c1", reader(posts)) is Outcome.DONE
    assert await count(engine, Post) == len(posts)
    async with engine.connect() as conn:
        assert await HistoryWarmups(conn, "c1").status() == ("done", len(posts))
        row = (await conn.execute(select(HistoryWarmup.finished_at))).scalar_one()
        assert row is not None
    # The first replica, back, finds its claim gone and writes nothing.
    assert await first.run("c1", reader(posts)) is Outcome.SKIPPED
    assert await count(engine, Post) == len(posts)


async def test_in_the_background_a_crashed_replicas_read_is_taken_over_when_its_lease_ends(
    bot: Bot, engine: AsyncEngine
) -> None:
    posts = regulars()
    crashed = Warmup(bot, replica="r1", batch=5, clock=lambda: NOW)
    with pytest.raises(ConnectionError):
        await crashed.run("c1", reader(posts, fail_after=7))
    now = [NOW + timedelta(minutes=1)]
    waited: list[float] = []

    async def pause(seconds: float) -> None:  # the wait, without the waiting
        waited.append(seconds)
        now[0] += timedelta(seconds=seconds)

    history = Background(Warmup(bot, replica="r2", clock=lambda: now[0]), pause)
    task = history.start("c1", reader(posts))
    assert history.start("c1", reader(posts)) is task  # one read per community at a time
    await history.idle()
    assert task.result() is Outcome.DONE
    assert waited == [9 * 60 + 1.0]  # what was left of the lease, and a second
    assert await count(engine, Post) == len(posts)


async def test_a_failing_read_in_the_background_is_logged_and_kept_for_later(
    bot: Bot, engine: AsyncEngine
) -> None:
    history = Background(Warmup(bot, clock=lambda: NOW))
    task = history.start("c1", reader(regulars(), fail_after=0))
    await history.idle()
    assert task.result() is None
    async with engine.connect() as conn:
        assert await HistoryWarmups(conn, "c1").status() == ("running", 0)


# -- a channel's own read (the bot joined it after the install) -------------------------------


def by_channel(
    posts: Sequence[MessagePosted],
    *,
    gate: asyncio.Event | None = None,
    arrived: asyncio.Event | None = None,
) -> HistoryReader:
    """A read channel by channel as the platforms do, each channel marked once read to its end.

    With a gate it sets `arrived` once begun, then waits for the gate.
    """
    cursors: list[str] = []

    async def read(bounds: HistoryBounds, cursor: str) -> AsyncIterator[PastMessage]:
        cursors.append(cursor)
        if gate is not None:
            if arrived is not None:
                arrived.set()
            await gate.wait()
        progress = Progress.decode(cursor)
        for channel in dict.fromkeys(p.channel for p in posts):
            if channel in progress.done:
                continue
            for post in (p for p in posts if p.channel == channel):
                progress = progress.at(channel, post.message)
                yield PastMessage(post, progress.encode())
            progress = progress.finished(channel)
            yield PastMessage(None, progress.encode())

    read.cursors = cursors  # type: ignore[attr-defined]
    return read


def in_random() -> list[MessagePosted]:
    """The posts of #random only."""
    return [p for p in regulars() if p.channel == "random"]


async def test_a_channel_joined_later_is_read_once_on_a_row_of_its_own(
    bot: Bot, engine: AsyncEngine
) -> None:
    warmup = Warmup(bot, clock=lambda: NOW)
    assert await warmup.run("c1", by_channel([])) is Outcome.DONE  # the install: in no channel
    assert await warmup.run("c1", by_channel(in_random()), "random") is Outcome.DONE
    again = by_channel(in_random())
    assert await warmup.run("c1", again, "random") is Outcome.SKIPPED
    assert again.cursors == []  # type: ignore[attr-defined]
    assert await count(engine, Post) == len(in_random()) and ACTIONS == []
    async with engine.connect() as conn:
        assert await HistoryWarmups(conn, "c1").status() == ("done", 0)
        assert await HistoryWarmups(conn, "c1", "random").status() == ("done", len(in_random()))


async def test_a_channel_the_install_read_finished_is_not_read_when_joined(
    bot: Bot, engine: AsyncEngine
) -> None:
    warmup = Warmup(bot, clock=lambda: NOW)
    assert await warmup.run("c1", by_channel(regulars())) is Outcome.DONE
    for channel in ("general", "random"):  # "random" ends the read: known by its mark
        joined = by_channel([p for p in regulars() if p.channel == channel])
        assert await warmup.run("c1", joined, channel) is Outcome.SKIPPED
        assert joined.cursors == []  # type: ignore[attr-defined]
    assert await count(engine, Post) == len(regulars())


async def test_the_install_read_skips_channels_read_on_their_own(
    bot: Bot, engine: AsyncEngine
) -> None:
    warmup = Warmup(bot, clock=lambda: NOW)
    assert await warmup.run("c1", by_channel(in_random()), "random") is Outcome.DONE
    whole = by_channel(regulars())  # the install read, first run after the join's (a restart)
    assert await warmup.run("c1", whole) is Outcome.DONE
    (cursor,) = whole.cursors  # type: ignore[attr-defined]
    assert Progress.decode(cursor).done == ("random",)
    assert await count(engine, Post) == len(regulars())


async def test_in_the_background_a_channel_read_waits_for_the_install_read_here(
    bot: Bot, engine: AsyncEngine
) -> None:
    history = Background(Warmup(bot, clock=lambda: NOW))
    gate, arrived = asyncio.Event(), asyncio.Event()
    install = history.start("c1", by_channel(regulars(), gate=gate, arrived=arrived))
    joined = by_channel(in_random())
    channel = history.start("c1", joined, "random")
    assert history.start("c1", by_channel(in_random()), "random") is channel
    await arrived.wait()  # the install read has begun (and listed #random): the join waits
    gate.set()
    await history.idle()
    assert (install.result(), channel.result()) == (Outcome.DONE, Outcome.SKIPPED)
    assert joined.cursors == []  # type: ignore[attr-defined]
    assert await count(engine, Post) == len(regulars())


async def test_channel_reads_cut_short_are_listed_for_the_next_start(
    bot: Bot, engine: AsyncEngine
) -> None:
    warmup = Warmup(bot, clock=lambda: NOW)
    with pytest.raises(ConnectionError):
        await warmup.run("c1", reader(in_random(), fail_after=1), "random")
    assert await warmup.run("c1", by_channel([]), "general") is Outcome.DONE
    assert await warmup.unfinished_channels("c1") == ["random"]
    assert await warmup.needed("c1")  # the install's own read never ran


async def test_on_another_replica_a_channel_read_waits_while_the_community_read_runs(
    database_url: str, engine: AsyncEngine
) -> None:
    async with two_replicas(database_url) as (a, b):
        gate, arrived = asyncio.Event(), asyncio.Event()
        install = Warmup(a, replica="A", clock=lambda: NOW)
        joined = Warmup(b, replica="B", clock=lambda: NOW)
        whole = asyncio.create_task(
            install.run("c1", by_channel(regulars(), gate=gate, arrived=arrived))
        )
        await arrived.wait()  # A holds the community's read, which will read #random too
        early = by_channel(in_random())
        assert await joined.run("c1", early, "random") is Outcome.HELD
        assert early.cursors == []  # type: ignore[attr-defined]
        assert await joined.held_until("c1", "random") == NOW + LEASE
        gate.set()
        assert await whole is Outcome.DONE
        late = by_channel(in_random())
        assert await joined.run("c1", late, "random") is Outcome.SKIPPED
        assert late.cursors == []  # type: ignore[attr-defined]
        assert await count(engine, Post) == len(regulars())


async def test_on_another_replica_the_community_read_skips_a_channel_being_read(
    database_url: str, engine: AsyncEngine
) -> None:
    async with two_replicas(database_url) as (a, b):
        gate, arrived = asyncio.Event(), asyncio.Event()
        joined = Warmup(b, replica="B", clock=lambda: NOW)
        channel = asyncio.create_task(
            joined.run("c1", by_channel(in_random(), gate=gate, arrived=arrived), "random")
        )
        await arrived.wait()  # B holds #random's own read
        whole = by_channel(regulars())
        assert await Warmup(a, replica="A", clock=lambda: NOW).run("c1", whole) is Outcome.DONE
        (cursor,) = whole.cursors  # type: ignore[attr-defined]
        assert Progress.decode(cursor).done == ("random",)
        gate.set()
        assert await channel is Outcome.DONE
        assert await count(engine, Post) == len(regulars())

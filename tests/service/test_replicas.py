"""Two replicas on one PostgreSQL, fed the same and duplicated events: each handled once."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.adapters.memory import MemoryPlatform
from groupbot.core.events import CommandIssued, Event, MemberJoined, MessagePosted
from groupbot.core.ports import Direct
from groupbot.core.rulebook import Rulebook
from groupbot.service.bot import Bot
from groupbot.service.live import start_live_bot
from groupbot.storage.database import create_engine
from groupbot.storage.models import AuditEntry, FailedEvent, Member, Request
from groupbot.storage.outbox import LEASE, OutboxWorker

pytestmark = pytest.mark.parametrize("backend", ["postgresql"])

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PITCH = "Check out my new course at bensells{n}.example.com, 50% off this week only! DM me"
NEWCOMERS = 40


@pytest.fixture
async def replicas(database_url: str) -> AsyncIterator[tuple[Bot, Bot]]:
    """Two live bots, each with its own engine (connection pool) on the same database."""
    engines = [create_engine(database_url), create_engine(database_url)]
    bots = [await start_live_bot(e, Rulebook(), "slack") for e in engines]
    try:
        yield bots[0], bots[1]
    finally:
        for bot in bots:
            await bot.close()
        for e in engines:
            await e.dispose()


def join(n: int) -> MemberJoined:
    """Newcomer n joins."""
    return MemberJoined("c1", f"U{n:03d}", T0 + timedelta(seconds=n), f"join:c1:U{n:03d}", f"N{n}")


def pitch(n: int) -> MessagePosted:
    """Newcomer n promotes before introducing themselves (a note and a hold are owed)."""
    at = T0 + timedelta(minutes=5, seconds=n)
    return MessagePosted("c1", f"U{n:03d}", at, f"Ev{n:05d}", "general", f"m{n}", PITCH.format(n=n))


async def deliver(
    a: Bot, b: Bot, events: list[Event], rng: random.Random, *, other_side: bool = False
) -> None:
    """Each event to one replica (or the other), 30% also to the second one, all at once."""
    calls = []
    for n, event in enumerate(events):
        first, second = (a, b) if (n % 2 == 0) != other_side else (b, a)
        calls.append(first.handle(event))
        if rng.random() < 0.3:
            calls.append(second.handle(event))
    await asyncio.gather(*calls)


async def audit(engine: AsyncEngine, action: str) -> Counter[str]:
    """How many audit rows of one action each member has."""
    async with engine.connect() as conn:
        rows = await conn.scalars(select(AuditEntry.member).where(AuditEntry.action == action))
        return Counter(m for m in rows if m)


async def test_duplicated_events_over_two_replicas_are_handled_once(
    replicas: tuple[Bot, Bot], engine: AsyncEngine
) -> None:
    a, b = replicas
    rng = random.Random(11)
    await deliver(a, b, [join(n) for n in range(NEWCOMERS)], rng)
    # The post reaches the replica that did not see the join (and sometimes both).
    await deliver(a, b, [pitch(n) for n in range(NEWCOMERS)], rng, other_side=True)
    await asyncio.gather(a.finish(), b.finish())  # batched welcomes fire on both replicas
    members = [f"U{n:03d}" for n in range(NEWCOMERS)]
    assert await audit(engine, "welcome") == Counter(members)  # no double, none lost
    assert await audit(engine, "etiquette_note") == Counter(members)
    assert await audit(engine, "hold") == Counter(members)
    async with engine.connect() as conn:
        joined = list(await conn.scalars(select(Member.joined_at).where(Member.community == "c1")))
        requests = list(await conn.scalars(select(Request.id)))
        failed = await conn.scalar(select(func.count()).select_from(FailedEvent))
    assert failed == 0
    assert len(joined) == NEWCOMERS and all(j is not None for j in joined)
    assert sorted(requests) == list(range(1, NEWCOMERS + 1))


async def test_the_outbox_is_worked_by_both_replicas_without_double_delivery(
    replicas: tuple[Bot, Bot], engine: AsyncEngine
) -> None:
    a, b = replicas
    await deliver(a, b, [join(n) for n in range(NEWCOMERS)], random.Random(5))
    await asyncio.gather(a.finish(), b.finish())
    platforms = [MemoryPlatform(), MemoryPlatform()]
    workers = [OutboxWorker(engine, p, batch=7) for p in platforms]
    later = T0 + timedelta(hours=1)
    sent = await asyncio.gather(*(w.drain(later) for w in workers))
    deliveries = [d for p in platforms for d in p.deliveries]
    welcomed = Counter(d.action.member for d in deliveries if d.action is not None)  # type: ignore[attr-defined]
    assert sum(sent) == len(deliveries)
    assert all(count == 1 for count in welcomed.values())
    assert sum(await asyncio.gather(*(w.drain(later) for w in workers))) == 0


async def test_a_request_is_decided_once_whichever_replica_is_asked(
    replicas: tuple[Bot, Bot], engine: AsyncEngine
) -> None:
    a, b = replicas
    await a.handle(join(1))
    await b.handle(pitch(1))
    owner = frozenset({"owner"})
    at = T0 + timedelta(minutes=10)
    approve = CommandIssued("c1", "UOWNER", at, "cmd:1", "approve", ("1",), roles=owner)
    deny = CommandIssued("c1", "UOWNER2", at, "cmd:2", "deny", ("1", "no thanks"), roles=owner)
    out = await asyncio.gather(a.handle(approve), b.handle(deny))
    kinds = sorted(action.kind for actions in out for action in actions)
    decided = [k for k in kinds if k in ("published", "request_denied")]
    assert len(decided) == 1 and "command_rejected" in kinds
    async with engine.connect() as conn:
        status = await conn.scalar(select(Request.status).where(Request.id == 1))
    assert status in ("approved", "denied")


class KilledMidRound(MemoryPlatform):
    """Sends, then hangs forever on the `after`-th message (the process is killed there)."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after = after
        self.hung = asyncio.Event()

    async def send_direct(self, message: Direct) -> None:
        await super().send_direct(message)
        if len(self.deliveries) == self.after:
            self.hung.set()
            await asyncio.Event().wait()


async def test_a_worker_killed_mid_round_resends_at_most_the_one_in_flight(
    replicas: tuple[Bot, Bot], engine: AsyncEngine
) -> None:
    a, _ = replicas
    rules = Rulebook()
    for n in range(rules.welcome.dm_per_minute):  # each welcomed by DM: one row apiece
        await a.handle(join(n * 120))
    owed = rules.welcome.dm_per_minute
    later = T0 + timedelta(hours=1)
    killed = KilledMidRound(after=3)
    round_ = asyncio.create_task(OutboxWorker(engine, killed).drain(later))
    await killed.hung.wait()
    round_.cancel()  # the process dies with the third message sent but not settled
    with contextlib.suppress(asyncio.CancelledError):
        await round_
    survivor = MemoryPlatform()
    assert await OutboxWorker(engine, survivor).drain(later) == 0  # the lease still holds
    await OutboxWorker(engine, survivor).drain(later + LEASE + timedelta(seconds=1))
    sent = Counter(d.target for d in [*killed.deliveries, *survivor.deliveries])
    assert len(sent) == owed
    assert sum(sent.values()) == owed + 1  # only the one in flight went out twice


async def test_a_replica_that_knew_the_member_before_sees_the_join_made_elsewhere(
    replicas: tuple[Bot, Bot], engine: AsyncEngine
) -> None:
    a, b = replicas
    hello = MessagePosted("c1", "U001", T0 - timedelta(minutes=1), "Ev0", "general", "m0", "hi")
    await b.handle(hello)  # B now holds U001 in memory as a member from before the bot
    await a.handle(join(1))  # the join reaches A only
    await b.handle(pitch(1))  # B must not trust what it remembers
    await a.handle(pitch(2))  # and A never writes a join back to NULL meanwhile
    assert await audit(engine, "etiquette_note") == Counter(["U001"])
    async with engine.connect() as conn:
        joined = await conn.scalar(select(Member.joined_at).where(Member.member == "U001"))
    assert joined is not None

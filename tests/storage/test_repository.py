"""Repositories, the outbox and restarts on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from replaykit import PITCH_TEXT, cmd, join, only, replay, rulebook, say
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.adapters.memory import MemoryPlatform
from groupbot.core.actions import Action
from groupbot.core.events import Event
from groupbot.core.ports import DeliveryError, Direct
from groupbot.core.rulebook import Rulebook
from groupbot.local.replay_events import parse_event
from groupbot.service import bot as service
from groupbot.service.runtime import open_bot
from groupbot.storage.models import AuditEntry, OutboxMessage, Request
from groupbot.storage.outbox import OutboxWorker
from groupbot.storage.repositories import CommunityRepositories
from groupbot.storage.unit import UnitOfWork

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def _request(engine: AsyncEngine, community: str = "c1") -> int:
    async with engine.connect() as conn:
        await conn.begin()
        repo = CommunityRepositories(UnitOfWork(conn), community)
        await repo.row.ensure(NOW)
        request = await repo.requests.create(
            member="ben",
            member_name="Ben",
            origin="share",
            channel="promotions",
            message=None,
            text="My course",
            rule=None,
            evidence="",
            at=NOW,
            remind_at=None,
            expire_at=NOW + timedelta(hours=72),
        )
        await conn.commit()
    return request


async def test_request_ids_count_from_one_and_are_community_bound(engine: AsyncEngine) -> None:
    first = await _request(engine, "c1")
    second = await _request(engine, "c2")
    assert (first, second) == (1, 2)
    async with engine.connect() as conn:
        c1 = CommunityRepositories(UnitOfWork(conn), "c1")
        assert await c1.requests.get(2) is None
        row = await c1.requests.get(1)
        assert row is not None and row.status == "pending" and row.created_at == NOW


async def test_two_owners_deciding_at_once_decide_once(engine: AsyncEngine) -> None:
    request = await _request(engine)
    concurrent = engine.dialect.name == "postgresql"
    barrier = asyncio.Barrier(2 if concurrent else 1)

    async def decide(owner: str, status: str) -> bool:
        async with engine.connect() as conn:
            await conn.begin()
            repo = CommunityRepositories(UnitOfWork(conn), "c1")
            await barrier.wait()  # both transactions are open before either updates
            won = await repo.requests.decide(request, status, owner, None, NOW)
            await conn.commit()
            return won

    if concurrent:
        results = list(await asyncio.gather(decide("olive", "approved"), decide("mo", "denied")))
    else:  # SQLite serialises writers on the file lock: the second simply comes later
        results = [await decide("olive", "approved"), await decide("mo", "denied")]
    assert sorted(results) == [False, True]
    async with engine.connect() as conn:
        row = await CommunityRepositories(UnitOfWork(conn), "c1").requests.get(request)
    assert row is not None and row.status in ("approved", "denied")


async def test_replay_on_a_database_survives_a_restart(database_url: str) -> None:
    first = [join("olive", 0, roles=["owner"]), join("ben", 1), say("ben", PITCH_TEXT, 2, id="m1")]
    _, actions, _ = await replay(first, database=database_url)
    assert only(actions, "approval_requested")[0]["request"] == 1
    # The same events again change nothing; the next request gets the next id.
    _, again, _ = await replay(first, database=database_url)
    assert again == []
    later = [
        say("ben", PITCH_TEXT + " Last chance!", 3, id="m2"),
        cmd("olive", "approve", "1", minute=4),
    ]
    _, actions, _ = await replay(later, database=database_url)
    assert only(actions, "approval_requested")[0]["request"] == 2
    assert only(actions, "published")[0]["request"] == 1


class FlakyPlatform(MemoryPlatform):
    """Fails the first DM (a 5xx: the rest of the community goes on), then works."""

    def __init__(self) -> None:
        super().__init__()
        self.failures = 1

    async def send_direct(self, message: Direct) -> None:
        if self.failures:
            self.failures -= 1
            raise DeliveryError("platform is down")
        await super().send_direct(message)


async def _decide_only(database_url: str, events: list[dict[str, object]]) -> None:
    """Run events through the bot without delivering: the outbox keeps what is owed."""
    async with open_bot(database_url, Rulebook()) as bot:
        for event in events:
            await bot.handle(parse_event(event, b""))


async def test_outbox_delivers_once_with_retry(database_url: str, engine: AsyncEngine) -> None:
    await _decide_only(database_url, [join("ann", 1), join("ben", 2)])
    platform = FlakyPlatform()
    worker = OutboxWorker(engine, platform)
    assert await worker.drain(NOW + timedelta(minutes=5)) == 1
    assert await worker.drain(NOW + timedelta(minutes=5)) == 0  # the failed one backs off
    assert await worker.drain(NOW + timedelta(minutes=6)) == 1
    assert await worker.drain(NOW + timedelta(days=1)) == 0
    assert sorted(d.target for d in platform.deliveries) == ["ann", "ben"]
    async with engine.connect() as conn:
        left = await conn.scalar(select(func.count()).select_from(OutboxMessage))
    assert left == 0  # delivered rows leave the queue; the audit log keeps the record


async def test_undeliverable_messages_are_parked_not_retried_forever(
    database_url: str, engine: AsyncEngine
) -> None:
    await _decide_only(database_url, [join("ann", 1)])
    platform = MemoryPlatform()
    platform.refuse_dm.add("ann")
    worker = OutboxWorker(engine, platform)
    assert await worker.drain(NOW + timedelta(hours=1)) == 0
    async with engine.connect() as conn:
        status = await conn.scalar(select(OutboxMessage.status))
    assert status == "failed"


@pytest.mark.parametrize("member", ["ben"])
async def test_forget_deletes_a_member(database_url: str, member: str) -> None:
    events = [
        join("olive", 0, roles=["owner"]),
        join(member, 1),
        say(member, PITCH_TEXT, 2),
        cmd("olive", "forget", member, minute=3),
        cmd("olive", "queue", minute=4),
    ]
    _, actions, _ = await replay(events, database=database_url)
    assert only(actions, "member_forgotten")[0]["records"] > 0
    assert only(actions, "queue_listed")[0]["requests"] == []


async def test_retention_drops_message_text_but_keeps_decisions(
    database_url: str, engine: AsyncEngine
) -> None:
    rules = rulebook("[retention]\nmessage_days = 1\n")
    events = [
        join("olive", 0, roles=["owner"]),
        join("ben", 1),
        say("ben", PITCH_TEXT, 2, id="m1"),
        cmd("olive", "deny", "1", "not this week", minute=3),
        say("ann", "Morning all, how was the weekend?", days=3),
    ]
    await replay(events, rules, database=database_url)
    async with engine.connect() as conn:
        request = (await conn.execute(select(Request.text, Request.status))).one()
        audit = (
            await conn.execute(
                select(AuditEntry.action, AuditEntry.rule, AuditEntry.evidence).where(
                    AuditEntry.action == "etiquette_note"
                )
            )
        ).one()
    assert request == ("", "denied")
    assert audit == ("etiquette_note", "promote_before_introduce", None)


async def test_group_commit_shares_transactions_and_keeps_every_event(
    database_url: str, engine: AsyncEngine
) -> None:
    async with open_bot(database_url, Rulebook()) as bot:
        bot.group_commit, bot.batch_size = True, 64
        commits = 0
        commit = bot.commit

        async def counting_commit() -> None:
            nonlocal commits
            commits += bot.transactions.open
            await commit()

        bot.commit = counting_commit  # type: ignore[method-assign]
        joins = [parse_event(join(f"m{i}", i / 100), b"") for i in range(20)]
        await asyncio.gather(*(bot.handle(event) for event in joins))
    async with engine.connect() as conn:
        welcomes = await conn.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "welcome")
        )
    assert welcomes == 10  # ten DMs; the rest wait for the batched channel welcome
    assert 1 <= commits < 20


async def test_closing_waits_for_the_event_in_hand_and_commits_it(
    database_url: str, engine: AsyncEngine
) -> None:
    async with open_bot(database_url, Rulebook()) as bot:
        bot.group_commit, bot.batch_size = False, 64  # nothing commits until close
        started = asyncio.Event()
        handle = bot._handle

        async def marked(event: Event, now: datetime) -> list[Action]:
            started.set()  # the event holds the engine's turn from here
            return await handle(event, now)

        bot._handle = marked  # type: ignore[method-assign]
        handling = asyncio.create_task(bot.handle(parse_event(join("ann", 0), b"")))
        await started.wait()
        await bot.close()
        assert handling.done() and handling.exception() is None
    async with engine.connect() as conn:
        welcomes = await conn.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "welcome")
        )
    assert welcomes == 1


async def test_closing_gives_up_on_an_event_that_never_ends(
    database_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(service, "CLOSE_WAIT_SECONDS", 0.01)
    async with open_bot(database_url, Rulebook()) as bot:
        await bot._lock.acquire()  # an event stuck on a database that stopped answering
        try:
            async with asyncio.timeout(10):  # a hang fails the test instead of stalling it
                await bot.close()
        finally:
            bot._lock.release()
    assert "closing without committing" in caplog.text


async def test_a_forgotten_request_id_is_never_handed_out_again(database_url: str) -> None:
    events = [
        join("olive", 0, roles=["owner"]),
        join("ann", 1),
        say("ann", PITCH_TEXT, 2),
        cmd("olive", "forget", "ann", minute=3),
        join("bob", 4),
        say("bob", PITCH_TEXT, 5),
    ]
    _, actions, _ = await replay(events, database=database_url)
    assert [r["request"] for r in only(actions, "approval_requested")] == [1, 2]

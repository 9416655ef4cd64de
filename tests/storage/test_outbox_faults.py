"""The outbox under platform faults: jittered backoff, Retry-After, give-up, 429 hold-back, CLI."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import Result
from prometheus_client import REGISTRY
from replaykit import join, rulebook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from groupbot.adapters.memory import MemoryPlatform
from groupbot.cli.app import app
from groupbot.core.actions import DeliveryGivenUp, OwnerNotice
from groupbot.core.ports import DeliveryError, Direct
from groupbot.core.rulebook import Rulebook
from groupbot.local.replay_events import parse_event
from groupbot.service.runner import Runner, retry_policy
from groupbot.service.runtime import open_bot
from groupbot.service.settings import Settings
from groupbot.storage.models import AuditEntry, OutboxMessage
from groupbot.storage.outbox import OutboxWorker, RetryPolicy, _backoff

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)  # every welcome of the joins below is due by then


class Refusing(MemoryPlatform):
    """Refuses DMs as told: `down` fails every one (a 5xx), `limited` 429s those members once."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False
        self.owners_down = False
        self.limited: dict[str, float] = {}
        self.tried: list[str] = []

    async def send_direct(self, message: Direct) -> None:
        self.tried.append(message.member)
        if self.down:
            raise DeliveryError("slack: internal_error")
        after = self.limited.pop(message.member, None)
        if after is not None:
            raise DeliveryError("slack: ratelimited", retry_after=after)
        await super().send_direct(message)

    async def notify_owners(self, notice: OwnerNotice) -> None:
        if self.owners_down:
            raise DeliveryError("slack: internal_error")
        await super().notify_owners(notice)


async def owe(database_url: str, *events: dict[str, object]) -> None:
    """Decide the events without delivering: their welcomes wait in the outbox."""
    async with open_bot(database_url, Rulebook()) as bot:
        for event in events:
            await bot.handle(parse_event(event, b""))


async def rows(engine: AsyncEngine) -> list[OutboxMessage]:
    """The outbox, oldest first."""
    async with engine.connect() as conn:
        found = await conn.execute(select(OutboxMessage).order_by(OutboxMessage.id))
        return list(found.all())  # type: ignore[arg-type]


def failures(reason: str) -> float:
    """The failures counter for welcomes with one reason."""
    labels = {"action": "welcome", "reason": reason}
    return REGISTRY.get_sample_value("groupbot_outbox_failures_total", labels) or 0.0


# -- the backoff itself --------------------------------------------------------------------


def test_backoff_is_jittered_below_a_doubling_ceiling_and_capped() -> None:
    policy = RetryPolicy(base=timedelta(seconds=2), rng=random.Random(7))
    for attempts in range(1, 16):
        ceiling = min(600.0, 2.0 * 2 ** (attempts - 1))
        draws = [_backoff(attempts, None, policy).total_seconds() for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in draws), attempts
        assert max(draws) > 0.9 * ceiling and min(draws) < 0.6 * ceiling  # spread, not fixed
    assert _backoff(10_000, None, policy) <= timedelta(minutes=10)  # no overflow, still capped


def test_the_same_seed_draws_the_same_delays() -> None:
    one, two = (RetryPolicy(rng=random.Random(3)) for _ in range(2))
    assert [one.delay(n, None) for n in range(1, 9)] == [two.delay(n, None) for n in range(1, 9)]


def test_retry_after_is_a_floor_jitter_never_shortens() -> None:
    policy = RetryPolicy(base=timedelta(seconds=2), rng=random.Random(11))
    for attempts in (1, 3, 6, 9):
        draws = [policy.delay(attempts, 30.0).total_seconds() for _ in range(200)]
        assert min(draws) >= 30.0, attempts
    assert max(policy.delay(9, 30.0).total_seconds() for _ in range(200)) > 30.0  # may lengthen
    assert policy.delay(1, 900.0) == timedelta(seconds=900)  # above the cap: still honoured


def test_a_policy_refuses_no_attempts_or_no_backoff() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError, match="more than 0"):
        RetryPolicy(base=timedelta(0))


def test_the_environment_sets_the_policy_and_empty_means_unset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GROUPBOT_OUTBOX_ATTEMPTS", "3")
    monkeypatch.setenv("GROUPBOT_OUTBOX_BACKOFF_SECONDS", "0.5")
    policy = retry_policy()
    assert (policy.attempts, policy.base) == (3, timedelta(seconds=0.5))
    monkeypatch.setenv("GROUPBOT_OUTBOX_ATTEMPTS", "")
    monkeypatch.setenv("GROUPBOT_OUTBOX_BACKOFF_SECONDS", "")
    policy = retry_policy()
    assert (policy.attempts, policy.base) == (10, timedelta(seconds=2))
    monkeypatch.setenv("GROUPBOT_OUTBOX_ATTEMPTS", "0")
    with pytest.raises(ValueError, match=r"^GROUPBOT_OUTBOX_ATTEMPTS: .*1 \(got '0'\)$"):
        Settings()
    monkeypatch.setenv("GROUPBOT_OUTBOX_ATTEMPTS", "many")
    with pytest.raises(ValueError, match=r"^GROUPBOT_OUTBOX_ATTEMPTS: .*integer"):
        Settings()


# -- the worker, on SQLite and PostgreSQL -----------------------------------------------------


async def test_a_row_is_given_up_after_its_attempts_and_logged_without_its_text(
    database_url: str, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    await owe(database_url, join("ann", 1, name="Annabel Secretname"))
    platform = Refusing()
    platform.down = True
    worker = OutboxWorker(engine, platform, retry=RetryPolicy(attempts=3, rng=random.Random(1)))
    given_up = failures("given_up")
    when = LATER
    with caplog.at_level(logging.WARNING, logger="groupbot.storage.outbox"):
        for _ in range(5):
            assert await worker.drain(when) == 0
            when += timedelta(minutes=11)  # past any backoff
    assert platform.tried == ["ann", "ann", "ann"]  # three attempts, then no more
    [row] = await rows(engine)
    assert (row.status, row.attempts, row.last_error) == ("failed", 3, "slack: internal_error")
    assert failures("given_up") == given_up + 1
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    line = errors[0].getMessage()
    assert f"outbox {row.id} welcome for c1 given up after 3 attempts" in line
    assert all("Secretname" not in r.getMessage() for r in caplog.records)


async def test_a_429_holds_back_its_community_in_order_while_others_proceed(
    database_url: str, engine: AsyncEngine
) -> None:
    await owe(
        database_url,
        join("ann", 1),
        join("zed", 1.5, community="c2"),
        join("ben", 2),
        join("yan", 2.5, community="c2"),
        join("cat", 3),
    )
    platform = Refusing()
    platform.limited["ann"] = 60.0
    worker = OutboxWorker(engine, platform, retry=RetryPolicy(rng=random.Random(2)))
    rate_limited = failures("rate_limited")
    assert await worker.drain(LATER) == 2  # c2 goes on
    assert [d.target for d in platform.deliveries] == ["zed", "yan"]
    assert platform.tried.count("ben") == platform.tried.count("cat") == 0  # not even tried
    assert failures("rate_limited") == rate_limited + 1
    held = {row.id: row for row in await rows(engine)}
    assert [row.attempts for row in held.values()] == [1, 0, 0]  # only the refused one counts
    assert all(
        r.next_attempt_at.replace(tzinfo=UTC) >= LATER + timedelta(seconds=60)
        for r in held.values()
    )
    assert all(r.claimed_by is None for r in held.values())
    assert await worker.drain(LATER + timedelta(seconds=59)) == 0  # Retry-After is waited out
    assert await worker.drain(LATER + timedelta(seconds=61)) == 3
    assert [d.target for d in platform.deliveries][2:] == ["ann", "ben", "cat"]  # their order
    assert await rows(engine) == []


async def test_a_429_also_holds_back_the_communitys_rows_of_later_rounds(
    database_url: str, engine: AsyncEngine
) -> None:
    await owe(database_url, join("ann", 1), join("ben", 2), join("cat", 3))
    platform = Refusing()
    platform.limited["ann"] = 60.0
    worker = OutboxWorker(engine, platform, batch=1, retry=RetryPolicy(rng=random.Random(6)))
    assert await worker.drain(LATER) == 0  # one row a round: ben and cat come in later ones
    assert platform.tried == ["ann"]
    assert [row.attempts for row in await rows(engine)] == [1, 0, 0]
    assert await worker.drain(LATER + timedelta(seconds=61)) == 3
    assert [d.target for d in platform.deliveries] == ["ann", "ben", "cat"]


async def test_a_5xx_does_not_hold_back_the_rest_of_the_community(
    database_url: str, engine: AsyncEngine
) -> None:
    await owe(database_url, join("ann", 1), join("ben", 2))

    class FirstDown(Refusing):
        async def send_direct(self, message: Direct) -> None:
            self.down = not self.tried
            await super().send_direct(message)

    platform = FirstDown()
    worker = OutboxWorker(engine, platform, retry=RetryPolicy(rng=random.Random(4)))
    assert await worker.drain(LATER) == 1
    assert [d.target for d in platform.deliveries] == ["ben"]
    [row] = await rows(engine)
    delay = row.next_attempt_at.replace(tzinfo=UTC) - LATER
    assert timedelta(0) < delay <= timedelta(seconds=2.5)  # the first backoff: below base
    assert await worker.drain(LATER + timedelta(seconds=3)) == 1


async def test_owners_are_told_once_in_their_language_when_messages_are_given_up(
    database_url: str, engine: AsyncEngine
) -> None:
    await owe(database_url, join("ann", 1), join("ben", 2))
    platform = Refusing()
    platform.down = True
    async with open_bot(database_url, rulebook('[community]\nlanguage = "fr"')) as bot:
        runner = Runner(bot, platform, retry=RetryPolicy(attempts=2, rng=random.Random(5)))
        when = LATER
        for _ in range(4):
            await runner.worker.drain(when)
            when += timedelta(minutes=11)
    ann, ben = (r for r in await rows(engine) if r.action == "welcome")
    assert (ann.status, ben.status) == ("failed", "failed")
    [told] = [d for d in platform.deliveries if d.kind == "owners"]  # one notice, not two
    assert isinstance(told.action, DeliveryGivenUp)
    assert (told.community, told.action.outbox, told.action.failed_action) == (
        "c1",
        ann.id,
        "welcome",
    )
    assert told.action.attempts == 2
    assert told.text.startswith("groupbot a renoncé à un message")
    assert f"#{ann.id}" in told.text and "groupbot outbox list --failed -c c1" in told.text
    async with engine.connect() as conn:
        audited = list(
            await conn.scalars(
                select(AuditEntry.action).where(AuditEntry.action == "delivery_given_up")
            )
        )
    assert audited == ["delivery_given_up"]


async def test_a_notice_given_up_is_not_the_subject_of_another(
    database_url: str, engine: AsyncEngine
) -> None:
    await owe(database_url, join("ann", 1))
    platform = Refusing()
    platform.down = platform.owners_down = True
    async with open_bot(database_url, Rulebook()) as bot:
        runner = Runner(bot, platform, retry=RetryPolicy(attempts=1))
        for minutes in (5, 20, 40):
            await runner.worker.drain(NOW + timedelta(minutes=minutes))
    assert sorted((r.action, r.status) for r in await rows(engine)) == [
        ("delivery_given_up", "failed"),
        ("welcome", "failed"),
    ]
    assert platform.deliveries == []


# -- the command line, on SQLite and PostgreSQL ----------------------------------------------


async def groupbot(*args: str) -> Result:
    """Run the command line in this process (off the event loop: it runs its own)."""
    return await asyncio.to_thread(CliRunner().invoke, app, list(args))


async def test_outbox_list_and_retry_show_and_revive_given_up_rows(
    database_url: str, engine: AsyncEngine
) -> None:
    await owe(database_url, join("ann", 1), join("ben", 2), join("zed", 3, community="c2"))
    platform = Refusing()
    platform.down = True
    worker = OutboxWorker(engine, platform, retry=RetryPolicy(attempts=1))
    await worker.drain(LATER)
    ann, ben, zed = await rows(engine)
    assert {ann.status, ben.status, zed.status} == {"failed"}

    listed = await groupbot("outbox", "list", "--failed", "--database", database_url)
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(f"#{ann.id} failed c1 welcome (attempts 1, next ")
    assert lines[0].endswith(": slack: internal_error")
    as_json = await groupbot("outbox", "list", "-c", "c2", "--json", "--database", database_url)
    assert as_json.exit_code == 0, as_json.output
    [only] = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert only["id"] == zed.id and only["community"] == "c2" and only["status"] == "failed"
    assert set(only) == {
        "id", "community", "action", "status", "attempts", "next_attempt_at", "last_error"
    }  # fmt: skip

    typo = await groupbot("outbox", "list", "-c", "c3", "--database", database_url)
    assert typo.exit_code == 1 and typo.stderr.startswith("groupbot: no community 'c3'")
    unknown = await groupbot("outbox", "retry", str(ann.id), "999999", "--database", database_url)
    assert unknown.exit_code == 1
    assert unknown.stderr == "groupbot: no outbox row 999999; nothing was changed\n"
    assert [r.status for r in await rows(engine)] == ["failed"] * 3  # all or nothing

    retried = await groupbot("outbox", "retry", str(ann.id), "--database", database_url)
    assert retried.exit_code == 0 and retried.stdout == "1 failed row back to pending\n"
    again = await groupbot("outbox", "retry", str(ann.id), "--database", database_url)
    assert again.exit_code == 1
    assert (
        again.stderr
        == f"groupbot: outbox row {ann.id} is pending, not failed; nothing was changed\n"
    )
    revived = next(r for r in await rows(engine) if r.id == ann.id)
    assert (revived.status, revived.attempts) == ("pending", 0)

    platform.down = False
    assert await OutboxWorker(engine, platform).drain(datetime.now(UTC) + timedelta(seconds=1)) == 1
    rest = await groupbot("outbox", "retry", "--database", database_url)
    assert rest.stdout == "2 failed rows back to pending\n"
    assert await OutboxWorker(engine, platform).drain(datetime.now(UTC) + timedelta(seconds=1)) == 2
    assert [d.target for d in platform.deliveries] == ["ann", "ben", "zed"]
    empty = await groupbot("outbox", "list", "--database", database_url)
    assert empty.stdout == "the outbox is empty\n"

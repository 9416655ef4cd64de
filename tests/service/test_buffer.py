"""Events the database cannot take yet: held in order, retried, bounded; poison is not held."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from groupbot.core.actions import Action
from groupbot.core.events import CommandIssued, Event, MemberJoined
from groupbot.service.buffer import EventBuffer
from groupbot.service.metrics import BUFFER_DROPPED, BUFFERED
from groupbot.storage.faults import unreachable

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def join(n: int, community: str = "c1") -> MemberJoined:
    """Newcomer n joins."""
    return MemberJoined(community, f"U{n:03d}", T0 + timedelta(seconds=n), f"join:{n}", f"N{n}")


class Flaky:
    """A stand-in for the Bot whose database is away until told otherwise."""

    def __init__(self) -> None:
        self.up = True
        self.handled: list[str] = []
        self.tries = 0
        self.poison: set[str] = set()

    async def handle(self, event: Event) -> list[Action]:
        self.tries += 1
        await asyncio.sleep(0)  # a real handler awaits the database
        if event.event_id in self.poison:
            raise ValueError("a bug, not an outage")
        if not self.up:
            raise ConnectionRefusedError(111, "Connect call failed")
        self.handled.append(event.event_id)
        return []


async def until(check: Callable[[], object], what: str, limit: float = 10.0) -> None:
    """Wait (bounded) for a condition."""
    deadline = asyncio.get_running_loop().time() + limit
    while True:
        if check():
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


class _Pg(Exception):
    sqlstate = "57P03"  # the database system is starting up


@pytest.mark.parametrize(
    ("error", "away"),
    [
        (ConnectionRefusedError(111, "refused"), True),
        (TimeoutError(), True),
        (OperationalError("SELECT 1", {}, Exception("server closed the connection")), True),
        (DBAPIError("SELECT 1", {}, _Pg("starting up")), True),
        (DBAPIError("SELECT 1", {}, Exception("x"), connection_invalidated=True), True),
        (OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked")), True),
        (OperationalError("SELECT", {}, sqlite3.OperationalError("no such column: x")), False),
        (PoolTimeout("QueuePool limit of size 5 overflow 10 reached"), True),
        (DataError("INSERT", {}, Exception("invalid byte sequence")), False),
        (ValueError("NUL in text"), False),
    ],
)
def test_an_unreachable_database_is_told_from_a_bad_event(error: Exception, away: bool) -> None:
    assert unreachable(error) is away
    try:
        raise RuntimeError("wrapped") from error
    except RuntimeError as wrapped:
        assert unreachable(wrapped) is away


async def test_held_events_are_retried_in_arrival_order_once_the_database_is_back() -> None:
    bot = Flaky()
    buffer = EventBuffer(bot, "test-order", first_delay=0.01, max_delay=0.05)
    assert await buffer.handle(join(0)) == []
    bot.up = False
    events = [join(n, f"c{n % 3}") for n in range(1, 21)]
    results = await asyncio.gather(*(buffer.handle(e) for e in events))
    assert results == [None] * 20
    assert len(buffer) == 20 and not await buffer.ready()
    assert BUFFERED.labels(platform="test-order")._value.get() == 20
    tries = bot.tries

    await until(lambda: bot.tries >= tries + 3, "a few retries while the database is away")
    assert len(buffer) == 20  # each retry probed with one event and held on to all
    bot.up = True
    await until(lambda: not len(buffer), "the held events to be stored")
    assert bot.handled == ["join:0"] + [e.event_id for e in events]  # each once, in order
    assert await buffer.ready()
    assert BUFFERED.labels(platform="test-order")._value.get() == 0
    assert await buffer.handle(join(99)) == []  # straight through again


async def test_a_full_buffer_drops_new_events_loudly(caplog: pytest.LogCaptureFixture) -> None:
    bot = Flaky()
    bot.up = False
    buffer = EventBuffer(bot, "test-full", limit=3, first_delay=0.01, max_delay=0.02)
    dropped = BUFFER_DROPPED.labels(platform="test-full")._value.get()
    with caplog.at_level(logging.ERROR, logger="groupbot.service.buffer"):
        for n in range(5):
            assert await buffer.handle(join(n)) is None
    assert len(buffer) == 3
    assert BUFFER_DROPPED.labels(platform="test-full")._value.get() == dropped + 2
    full = [r for r in caplog.records if "event buffer full" in r.getMessage()]
    assert len(full) == 1 and "join:3" in full[0].getMessage()  # one line, not one per event
    bot.up = True
    await until(lambda: not len(buffer), "the held events to be stored")
    assert bot.handled == ["join:0", "join:1", "join:2"]
    assert any("2 events were lost" in r.getMessage() for r in caplog.records)


async def test_commands_and_bugs_are_not_held() -> None:
    bot = Flaky()
    buffer = EventBuffer(bot, "test-refuse")
    bot.up = False
    command = CommandIssued("c1", "O1", T0, "cmd:1", "general", "queue", ())
    with pytest.raises(ConnectionRefusedError):  # the member is told to try again
        await buffer.handle(command)
    bot.up = True
    bot.poison.add("join:7")
    with pytest.raises(ValueError):
        await buffer.handle(join(7))
    assert len(buffer) == 0 and await buffer.ready()


async def test_closing_stores_what_it_can_within_its_time_then_counts_the_rest() -> None:
    bot = Flaky()
    bot.up = False
    buffer = EventBuffer(bot, "test-close", first_delay=60.0, max_delay=60.0)
    for n in range(3):
        await buffer.handle(join(n))
    dropped = BUFFER_DROPPED.labels(platform="test-close")._value.get()
    assert await buffer.close(0.2) == 3  # still away: bounded, and the loss is counted
    assert BUFFER_DROPPED.labels(platform="test-close")._value.get() == dropped + 3

    again = EventBuffer(bot, "test-close", first_delay=60.0, max_delay=60.0)
    await again.handle(join(10))
    bot.up = True
    assert await again.close(5.0) == 0  # retried at once, not after the minute's backoff
    assert bot.handled == ["join:10"]

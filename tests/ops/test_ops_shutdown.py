"""SIGTERM: the replica stops accepting, finishes the event in hand, and exits 0 in bounded time."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import aiohttp
import pytest
from opskit import Replica, Stream, Tally, replica_env, stored, until
from slackfake import FakeSlack

pytestmark = pytest.mark.ops

EXIT_SECONDS = 15.0


async def test_sigterm_finishes_the_event_in_hand_and_exits_zero(
    fake: FakeSlack, database: str, rules: Path, session: aiohttp.ClientSession
) -> None:
    env = replica_env(database, fake.url)
    replica, successor = Replica(env, rules), Replica(env, rules)
    try:
        await replica.start(session)
        stream = Stream(fake, [replica], session)
        joins = [stream.send(i, "join") for i in range(3)]
        await stream.settle(10)
        # A post in a channel the replica has not met yet: it asks Slack for the channel's
        # name before it can store the event, and the fake keeps that call waiting.
        fake.add_channel("C0LATE001", "late")
        arrived, release = fake.hold("conversations.info")
        key = stream.send(10, "promo")
        assert key is not None
        stream.sent[key].body = stream.sent[key].body.replace("C0GENERAL", "C0LATE001")
        await asyncio.wait_for(arrived.wait(), 10)

        assert replica.proc is not None
        replica.proc.send_signal(signal.SIGTERM)
        signalled = time.monotonic()

        async def closed() -> bool:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", replica.port)
            except OSError:
                return True
            writer.close()
            return False

        await until(closed, 10, "the replica to stop accepting connections")
        assert replica.alive() and stream.sent[key].acked is None  # the event is still in hand
        release.set()
        status = await asyncio.wait_for(replica.proc.wait(), EXIT_SECONDS)
        took = time.monotonic() - signalled
        await stream.settle(5)
        assert status == 0, replica.output()
        assert took < EXIT_SECONDS
        assert stream.sent[key].attempts == 1 and stream.sent[key].acked is not None

        # Whatever it still owed is another replica's to deliver: none lost, none doubled.
        await successor.start(session)

        async def delivered() -> bool:
            return Tally.of(stream).complete() and (await stored(database))["outbox"] == 0

        await until(delivered, 20, "every owed message delivered")
        rows = await stored(database)
        tally = Tally.of(stream)
    finally:
        output = replica.output()
        await replica.close()
        await successor.close()
    assert "Traceback" not in output, output
    assert len([k for k in joins if k]) == 3
    assert rows["processed_events"] == 4, rows
    assert (tally.lost, tally.doubled) == (0, 0), (tally.welcomes, tally.notes)

"""PostgreSQL stopped under a running replica and started again: 5xx meanwhile, then recovery."""

from __future__ import annotations

import time
from pathlib import Path

import aiohttp
import pytest
from opskit import Cluster, Replica, Stream, Tally, replica_env, stored, until
from slackfake import FakeSlack

pytestmark = pytest.mark.ops

OUTAGE_SECONDS = 5.0


async def test_a_database_outage_is_refused_then_recovered_without_a_restart(
    cluster: Cluster,
    fake: FakeSlack,
    database: str,
    rules: Path,
    session: aiohttp.ClientSession,
) -> None:
    replica = Replica(replica_env(database, fake.url), rules)
    try:
        await replica.start(session)
        assert replica.proc is not None
        pid = replica.proc.pid
        stream = Stream(fake, [replica], session, retry_seconds=0.5)
        before = [stream.send(i, "join") for i in range(5)]
        await stream.settle(10)
        assert await replica.probe(session, "/readyz") == 200

        async def welcomed() -> bool:  # owed before the outage, and settled
            return Tally.of(stream).complete() and (await stored(database))["outbox"] == 0

        # A message sent as the database goes away cannot be settled, so it is sent again
        # after (at most the one in flight per community): a window this test is not about.
        await until(welcomed, 30, "the welcomes owed before the outage")

        await cluster.stop()
        down = time.monotonic()

        async def unready() -> bool:
            return await replica.probe(session, "/readyz") == 503

        await until(unready, 5, "/readyz to fail with the database down")
        refused_before = len(stream.refusals)
        during = [stream.send(i, "join") for i in range(5, 15)]  # Slack retries each refusal

        async def refused() -> bool:
            return len(stream.refusals) - refused_before >= len(during)

        await until(refused, 10, "every event sent during the outage to be refused")
        assert all(status >= 500 for status in stream.refusals), stream.refusals
        assert replica.alive()
        wait = OUTAGE_SECONDS - (time.monotonic() - down)
        if wait > 0:  # the outage lasts its length whatever the test has checked by then

            async def elapsed() -> bool:
                return time.monotonic() - down >= OUTAGE_SECONDS

            await until(elapsed, wait + 1, "the outage's length")
        await cluster.start()

        async def ready() -> bool:
            return await replica.probe(session, "/readyz") == 200

        await until(ready, 15, "/readyz to recover with the database back")
        await stream.settle(30)  # Slack's retries of what was refused now land
        after = [stream.send(i, "join") for i in range(15, 20)]

        async def delivered() -> bool:
            return Tally.of(stream).complete() and (await stored(database))["outbox"] == 0

        await until(delivered, 30, "every welcome delivered")
        rows = await stored(database)
        tally = Tally.of(stream)
        assert replica.alive() and replica.proc.pid == pid and replica.starts == 1
    finally:
        output = replica.output()
        await replica.close()
    keys = [k for k in before + during + after if k]
    assert len(keys) == 20
    assert all(stream.sent[k].attempts > 1 for k in during if k)  # refused first, then stored
    assert rows["processed_events"] == 20 and rows["members"] == 20, (rows, output)
    assert (tally.lost, tally.doubled) == (0, 0), (tally.welcomes, output)

"""Soak: two `groupbot run slack --http` replicas on PostgreSQL, one killed and restarted mid-run.

    python benchmarks/soak.py [--rate 200] [--seconds 60] [--teams 100] [--duplicates 0.2]

The fake Slack Web API (tests/slack/slackfake.py) runs in this process; the replicas are real
processes pointed at it, on a fresh PostgreSQL database (created on GROUPBOT_BENCH_POSTGRES_URL,
default postgresql://postgres@127.0.0.1:5432/postgres, and dropped afterwards unless --keep).
Events go round-robin: joins, promotional first posts (each owes a note) and introductions in
turn, a fifth of them also delivered to the other replica at once (a load balancer's retry),
and anything not answered 200 redelivered as Slack does. Halfway through, one replica is
SIGKILLed; two seconds later it is started again. Reports throughput, ack p99, event-to-message
p99, peak RSS per replica, and the welcomes and notes lost or doubled (the stream, the replica
processes and the counting are tests/ops/opskit.py's, shared with the fault tests).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from projectenv import use_project_python

use_project_python()  # `python benchmarks/...` works outside the venv too

import aiohttp  # noqa: E402
import asyncpg  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "ops"))

from loadkit import drop_database, make_database, pct  # noqa: E402
from opskit import (  # noqa: E402
    Replica,
    Stream,
    Tally,
    fake_workspace,
    migrate,
    replica_env,
    rules_file,
    stored,
    until,
)


def peak_rss(pid: int) -> int:
    """The process's peak resident set (VmHWM) in bytes; 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


async def watch_memory(replicas: list[Replica], peaks: list[int], stop: asyncio.Event) -> None:
    """Keep each replica slot's highest peak RSS (over its restarts too)."""
    while not stop.is_set():
        for n, replica in enumerate(replicas):
            if replica.proc is not None:
                peaks[n] = max(peaks[n], peak_rss(replica.proc.pid))
        await asyncio.sleep(0.25)


async def report_outbox(database: str) -> None:
    """What is still owed, and why: the outbox rows left behind."""
    conn = await asyncpg.connect(database, timeout=10)
    try:
        rows = await conn.fetch(
            "SELECT status, action, attempts, claimed_by IS NOT NULL AS leased, "
            "left(coalesce(last_error, ''), 80) AS error, count(*) AS n FROM outbox "
            "GROUP BY 1, 2, 3, 4, 5 ORDER BY n DESC LIMIT 10"
        )
    finally:
        await conn.close()
    for row in rows:
        print(f"  outbox: {dict(row)}")


async def report_sizes(database: str) -> None:
    """Rows and bytes per table (heap, indexes and TOAST), for sizing a larger community."""
    conn = await asyncpg.connect(database, timeout=10)
    try:
        await conn.execute("VACUUM ANALYZE")
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
        )
        for table in tables:
            name = table["tablename"]
            rows = int(await conn.fetchval(f'SELECT count(*) FROM "{name}"'))
            size = int(await conn.fetchval("SELECT pg_total_relation_size($1::regclass)", name))
            if rows:
                print(f"  {name:18} {rows:7} rows {size / 1024:8.0f} KiB {size / rows:6.0f} B/row")
    finally:
        await conn.close()


async def soak(args: argparse.Namespace, database: str) -> int:
    """Run the stream against two replicas; print the figures; 0 when nothing was lost."""
    fake = fake_workspace()
    await fake.start()
    work = Path(tempfile.mkdtemp(prefix="groupbot-soak-"))
    env = replica_env(database, fake.url)
    await migrate(database, fake.url)
    rules = rules_file(work)
    replicas = [Replica(env, rules), Replica(env, rules)]
    peaks = [0, 0]
    stop = asyncio.Event()
    count = int(args.rate * args.seconds)
    connector = aiohttp.TCPConnector(limit=500)
    timeout = aiohttp.ClientTimeout(total=3)  # Slack waits 3 s for an answer, then retries
    restarting: list[asyncio.Task[None]] = []
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        try:
            for replica in replicas:
                await replica.start(session)
            watcher = asyncio.create_task(watch_memory(replicas, peaks, stop))
            stream = Stream(
                fake,
                replicas,
                session,
                teams=args.teams,
                duplicates=args.duplicates,
                retry_seconds=1.0,
            )
            victim = replicas[0]
            kill_at, restart_at = count // 2, count // 2 + int(2 * args.rate)

            async def faults(i: int) -> None:
                if i == kill_at:
                    peaks[0] = max(peaks[0], peak_rss(victim.proc.pid if victim.proc else 0))
                    await victim.kill()
                elif i == restart_at:  # started beside the stream, as a supervisor would
                    restarting.append(asyncio.create_task(victim.start(session)))

            started = time.perf_counter()
            await stream.run(count, args.rate, faults)
            sent_for = time.perf_counter() - started
            await asyncio.gather(*restarting)
            try:
                await stream.settle(args.wait)
            except TimeoutError:  # overloaded: Slack would still be retrying these
                print(f"unsettled:            {stream.pending} deliveries still retrying")
            acked_for = time.perf_counter() - started

            async def delivered() -> bool:
                return Tally.of(stream).complete() and (await stored(database))["outbox"] == 0

            try:
                await until(delivered, args.wait, "every owed message delivered")
            except AssertionError as exc:
                print(f"incomplete:           {exc}")
                await report_outbox(database)
            rows = await stored(database)
            tally = Tally.of(stream)
        finally:
            stop.set()
            for replica in replicas:
                if replica.alive():
                    assert replica.proc is not None
                    peaks[replicas.index(replica)] = max(
                        peaks[replicas.index(replica)], peak_rss(replica.proc.pid)
                    )
                    await replica.terminate(30)
                replica.log.close()
            await fake.stop()
    await watcher
    distinct = len(stream.sent)
    duplicates = sum(
        1 for i in range(count) if (i * 7919) % 100 < args.duplicates * 100
    )  # the Stream's own rule
    redelivered = sum(s.attempts - 1 for s in stream.sent.values())
    print(
        f"events sent:          {distinct} distinct in {sent_for:.1f} s "
        f"({distinct / sent_for:.0f}/s), ~{duplicates} duplicated to the other replica, "
        f"{redelivered} redelivered after a refusal"
    )
    print(f"throughput (stored):  {rows['processed_events'] / acked_for:.0f} events/s")
    print(
        f"ack (first attempt):  p50 {pct(stream.acks, 0.5):.1f} ms, "
        f"p99 {pct(stream.acks, 0.99):.1f} ms, max {pct(stream.acks, 1.0):.1f} ms"
    )
    print(
        f"event -> message:     p50 {pct(tally.to_message, 0.5):.0f} ms, "
        f"p99 {pct(tally.to_message, 0.99):.0f} ms ({len(tally.to_message)} welcomes and notes)"
    )
    print(
        "peak RSS:             "
        + ", ".join(f"replica {n} {p / 2**20:.0f} MiB" for n, p in enumerate(peaks))
    )
    print(f"processed events:     {rows['processed_events']} stored of {distinct} distinct")
    print(
        f"owed:                 {len(tally.owed_welcomes)} welcomes, {len(tally.owed_notes)} notes"
    )
    print(f"lost: {tally.lost}; doubled: {tally.doubled}; fake failures: {len(fake.failures)}")
    print("table sizes after the soak:")
    await report_sizes(database)
    ok = tally.lost == 0 and tally.doubled == 0 and rows["processed_events"] == distinct
    return 0 if ok and not fake.failures else 1


async def main() -> int:
    """Parse the flags, make the database, soak, drop it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to send")
    parser.add_argument("--teams", type=int, default=100, help="workspaces the joins spread over")
    parser.add_argument("--duplicates", type=float, default=0.2, help="share sent to both")
    parser.add_argument("--wait", type=float, default=60.0, help="seconds to await delivery")
    parser.add_argument("--keep", action="store_true", help="keep the database (print its URL)")
    args = parser.parse_args()
    server = os.environ.get(
        "GROUPBOT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    database, name = await make_database(server, "groupbot_soak")
    try:
        return await soak(args, database)
    finally:
        if args.keep:
            print(f"database kept:        {database}")
        else:
            await drop_database(server, name)


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))

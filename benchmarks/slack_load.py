"""Slack load: signed events at a steady rate against `groupbot run slack --http` on PostgreSQL.

    python benchmarks/slack_load.py [--rate 100] [--seconds 30] [--database URL]

Starts the fake Slack Web API (tests/slack/slackfake.py) in this process, then the real app as a
separate process (`groupbot run slack --http`) pointed at it with SLACK_API_URL, on a fresh
PostgreSQL database (created on GROUPBOT_BENCH_POSTGRES_URL, default
postgresql://postgres@127.0.0.1:5432/postgres, and dropped afterwards) unless --database names
one. Two thirds of the events are team_joins (each owes one welcome DM), one third are
introductions from members who joined (no outgoing call), and one event in twenty is sent a
second time as a Slack retry (X-Slack-Retry-Num). Reports p50/p99 time to the HTTP ack, p50/p99
time from sending a join to the app's chat.postMessage for its welcome, and what was lost or
doubled. Everything runs on loopback; every wait is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from projectenv import use_project_python

use_project_python()  # `python benchmarks/...` works outside the venv too

import asyncpg  # noqa: E402
from aiohttp import ClientSession, ClientTimeout, TCPConnector  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "slack"))

from loadkit import drop_database, envelope, free_port, make_database, pct, upgrade  # noqa: E402
from slackfake import BOT_ID, BOT_TOKEN, BOT_USER, SECRET, TEAM, FakeSlack, sign, user  # noqa: E402

TEAMS = 60  # joins spread over workspaces so each stays within its welcome-DM pace
RULES = "[welcome]\ndm_per_minute = 120\n"
INTRO = "Hi everyone, I'm {name}, a designer from Leeds. Glad to be here!"


async def wait_healthy(session: ClientSession, url: str, proc: asyncio.subprocess.Process) -> None:
    """Poll /healthz until the app answers (60 s at most)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.returncode is not None:
            raise SystemExit(f"the app exited with {proc.returncode}")
        try:
            async with session.get(url) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        await asyncio.sleep(0.1)
    raise SystemExit("the app did not become healthy within 60 s")


async def load(
    fake: FakeSlack, session: ClientSession, url: str, rate: float, seconds: float
) -> dict[str, Any]:
    """Send the stream on schedule; return timings and what was sent."""
    total = int(rate * seconds)
    acks: list[float] = []
    bad: list[int] = []
    sent_at: dict[str, float] = {}  # DM channel of a joiner -> when its join was sent
    joined: list[tuple[str, str]] = []
    event_ids: set[str] = set()
    retries = 0

    async def post(body: str, headers: dict[str, str], timed: bool) -> None:
        started = time.perf_counter()
        async with session.post(url, data=body.encode(), headers=headers) as response:
            await response.read()
            if response.status != 200:
                bad.append(response.status)
        if timed:
            acks.append(time.perf_counter() - started)

    tasks: set[asyncio.Task[None]] = set()
    start = time.perf_counter()
    for i in range(total):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        team = f"T{i % TEAMS:08d}"
        event_id = f"Ev{i:09d}"
        if i % 3 == 2 and joined:
            member_team, uid = joined[(i // 3) % len(joined)]
            team = member_team
            stamp = f"{time.time():.6f}"
            event: dict[str, Any] = {
                "type": "message",
                "channel": "C0GENERAL",
                "channel_type": "channel",
                "user": uid,
                "text": INTRO.format(name=uid),
                "ts": stamp,
            }
            event_ids.add(f"{team}/{event_id}")
        else:
            uid = f"U{i:09d}"
            fake.users[uid] = user(uid, f"Member {i}", team_id=team)
            event = {"type": "team_join", "user": fake.users[uid]}
            sent_at[fake.dm_channel(uid)] = time.perf_counter()
            joined.append((team, uid))
            event_ids.add(f"{team}/join:{team}:{uid}")
        body = envelope(team, event_id, event)
        headers = {"Content-Type": "application/json", **sign(body)}
        task = asyncio.create_task(post(body, headers, True))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        if i % 20 == 0:
            retries += 1
            again = {**sign(body), "Content-Type": "application/json", "X-Slack-Retry-Num": "1"}
            retry = asyncio.create_task(post(body, again, False))
            tasks.add(retry)
            retry.add_done_callback(tasks.discard)
    elapsed = time.perf_counter() - start
    await asyncio.wait_for(asyncio.gather(*tasks), 60)
    return {
        "total": total,
        "elapsed": elapsed,
        "acks": acks,
        "bad": bad,
        "sent_at": sent_at,
        "event_ids": event_ids,
        "retries": retries,
    }


async def measure(
    fake: FakeSlack,
    proc: asyncio.subprocess.Process,
    port: int,
    metrics: int,
    args: argparse.Namespace,
    database: str,
) -> tuple[dict[str, Any], dict[str, list[float]], int]:
    """Load the running app; wait (bounded) for every welcome; count what the database holds."""
    connector = TCPConnector(limit=200)
    async with ClientSession(connector=connector, timeout=ClientTimeout(total=30)) as session:
        await wait_healthy(session, f"http://127.0.0.1:{metrics}/healthz", proc)
        url = f"http://127.0.0.1:{port}/slack/events"
        result = await load(fake, session, url, args.rate, args.seconds)
    sent_at: dict[str, float] = result["sent_at"]

    def welcomed() -> dict[str, list[float]]:
        found: dict[str, list[float]] = {}
        for call in fake.calls:
            channel = call.params.get("channel")
            if call.method == "chat.postMessage" and channel in sent_at:
                found.setdefault(str(channel), []).append(call.at)
        return found

    for _ in range(600):  # two minutes at most
        if len(welcomed()) >= len(sent_at):
            break
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.0)  # let any duplicate show itself before counting
    async with (
        ClientSession() as session,
        session.get(f"http://127.0.0.1:{metrics}/metrics") as response,
    ):
        exposition = await response.text()
    for line in exposition.splitlines():
        if line.startswith(("groupbot_event_seconds_sum", "groupbot_event_seconds_count")):
            result[line.split()[0]] = float(line.split()[1])
    plain = make_url(database).set(drivername="postgresql").render_as_string(False)
    conn = await asyncpg.connect(plain, timeout=10)
    try:
        processed = int(await conn.fetchval("SELECT count(*) FROM processed_events"))
    finally:
        await conn.close()
    return result, welcomed(), processed


async def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to send")
    parser.add_argument("--database", help="PostgreSQL URL (default: a throwaway database)")
    args = parser.parse_args()

    server = os.environ.get(
        "GROUPBOT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    created: str | None = None
    database = args.database
    if database is None:
        database, created = await make_database(server, "groupbot_slack_load")

    fake = FakeSlack()
    fake.add_bot(BOT_TOKEN, TEAM, BOT_USER, BOT_ID)
    fake.add_channel("C0GENERAL", "general")
    await fake.start()
    port, metrics = free_port(), free_port()
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as rules:
        rules.write(RULES)
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "GROUPBOT_", "DISCORD_"))
    }
    env |= {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.url,
        "GROUPBOT_DATABASE_URL": database,
    }
    command = [
        *(sys.executable, "-c", "from groupbot.cli import main; main()", "run", "slack"),
        *("--http", "--host", "127.0.0.1", "--port", str(port), "--metrics-port", str(metrics)),
        *("--rules", rules.name),
    ]
    await upgrade(env)  # as an operator deploys: the migration first, then the replicas
    with tempfile.TemporaryFile() as log:  # a file, not a pipe: a chatty app never blocks
        proc = await asyncio.create_subprocess_exec(*command, env=env, cwd=ROOT, stderr=log)
        try:
            result, found, processed = await measure(fake, proc, port, metrics, args, database)
        finally:
            if proc.returncode is None:
                proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
                await proc.wait()
            await fake.stop()
            os.unlink(rules.name)
            if created is not None:
                await drop_database(server, created)
        log.seek(0)
        err = log.read()

    sent_at: dict[str, float] = result["sent_at"]
    to_call = [found[ch][0] - sent_at[ch] for ch in found]
    lost = len(sent_at) - len(found)
    doubled = sum(1 for times in found.values() if len(times) > 1)
    print(
        f"events sent:        {result['total']} in {result['elapsed']:.1f} s "
        f"({result['total'] / result['elapsed']:.0f}/s) + {result['retries']} retries"
    )
    print(f"non-200 answers:    {len(result['bad'])}")
    print(
        f"ack time:           p50 {pct(result['acks'], 0.5):.1f} ms, "
        f"p99 {pct(result['acks'], 0.99):.1f} ms, max {pct(result['acks'], 1.0):.1f} ms"
    )
    print(
        f"join -> welcome DM: p50 {pct(to_call, 0.5):.1f} ms, p99 {pct(to_call, 0.99):.1f} ms "
        f"({len(to_call)} welcomes)"
    )
    handled = result.get("groupbot_event_seconds_count") or 0
    if handled:
        mean = 1000 * result["groupbot_event_seconds_sum"] / handled
        print(f"receipt -> commit:  mean {mean:.1f} ms over {handled:.0f} events (app metric)")
    print(f"processed events:   {processed} stored of {len(result['event_ids'])} distinct")
    print(f"lost welcomes:      {lost}; doubled welcomes: {doubled}")
    print(f"Web API calls:      {len(fake.calls)}; fake failures: {len(fake.failures)}")
    if fake.failures:
        print("  first failures:", fake.failures[:3])
    ok = (
        not result["bad"]
        and lost == 0
        and doubled == 0
        and processed == len(result["event_ids"])
        and pct(result["acks"], 0.99) <= 50
    )
    if not ok and err:
        sys.stderr.write(err.decode(errors="replace")[-3000:])
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))

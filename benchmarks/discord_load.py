"""Discord load: MESSAGE_CREATE at a steady rate through the fake gateway, on PostgreSQL.

    python benchmarks/discord_load.py [--rate 100] [--seconds 30] [--database URL]

Starts the fake Discord REST API and gateway (tests/discord/fakediscord.py) in this process and
the real bot as a separate process (`groupbot run discord`) pointed at it with DISCORD_API_URL
and DISCORD_GATEWAY_URL, on a fresh PostgreSQL database (created on
GROUPBOT_BENCH_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres, and dropped
afterwards) unless --database names one. Nine messages in ten are ordinary chat from members
who were there before the bot (no outgoing call); one in ten is a promotion from a newcomer who
joined a second earlier (an etiquette DM, a hold and an owners' embed). Reports p50/p99 from
sending a promotion's MESSAGE_CREATE to the bot's DELETE of it and to its etiquette DM, and
what was lost or doubled. Everything runs on loopback; every wait is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import IO, Any

from projectenv import use_project_python

use_project_python()  # `python benchmarks/...` works outside the venv too

import asyncpg  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "discord"))

from fakediscord import FakeDiscord, Guild, snowflake, user  # noqa: E402
from loadkit import drop_database, free_port, make_database, pct, upgrade  # noqa: E402

GUILDS = 20  # promotions spread over servers so each stays within its DM pace
RULES = "[welcome]\ndm_per_minute = 120\n\n[channels]\nmoderators = 'moderators'\n"
CHAT = (
    "I agree with what you said about onboarding, it took us a while too.",
    "Has anyone tried pairing on code reviews? Curious how it went.",
    "Thanks for the tips yesterday, they really helped with my talk.",
    "Morning all! Coffee number two and then back to the spreadsheet.",
)
PROMO = "Check out my new course at https://course{n}.example.com and use my code SAVE{n}!"


async def handle_times(port: int) -> str:
    """Mean and bucketed p99 of the bot's own event handling (receipt to commit), from /metrics."""
    from aiohttp import ClientSession

    async with ClientSession() as session, session.get(f"http://127.0.0.1:{port}/metrics") as r:
        text = await r.text()
    values = {
        line.split(" ")[0]: float(line.split(" ")[1])
        for line in text.splitlines()
        if line.startswith("groupbot_event_seconds")
    }
    count = values.get("groupbot_event_seconds_count", 0.0)
    if not count:
        return "no events"
    mean = 1000 * values["groupbot_event_seconds_sum"] / count
    buckets = sorted(
        (float(k.split('le="')[1].rstrip('"}')), v) for k, v in values.items() if 'le="' in k
    )
    p99 = next(le for le, n in buckets if n >= 0.99 * count)
    return f"mean {mean:.1f} ms, p99 <= {1000 * p99:g} ms over {int(count)} events"


async def start_bot(
    fake: FakeDiscord, database: str, rules: Path, log: IO[bytes], metrics: int
) -> asyncio.subprocess.Process:
    """`groupbot run discord` in its own process, pointed at the fake."""
    env = os.environ | {
        "DISCORD_TOKEN": "fake.token.value",
        "DISCORD_API_URL": fake.api_url,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "GROUPBOT_DATABASE_URL": database,
        "GROUPBOT_RULEBOOK": str(rules),
    }
    await upgrade(env)  # as an operator deploys: the migration first, then the bot
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from groupbot.cli import main; main()",
        "run",
        "discord",
        "--host",
        "127.0.0.1",
        "--metrics-port",
        str(metrics),
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=log,
    )


async def warm_up(fake: FakeDiscord, guilds: list[Guild]) -> None:
    """One join per guild; ready once every welcome has been posted (60 s at most)."""
    for guild in guilds:
        await fake.join(guild, user(snowflake(), "warmup"))
    wanted = {g.channels["general"] for g in guilds}
    await fake.until(
        lambda: wanted <= {int(c.path.split("/")[2]) for c in fake.posted("/messages")}, 60
    )


async def load(
    fake: FakeDiscord, guilds: list[Guild], rate: float, seconds: float
) -> dict[str, Any]:
    """Send the stream on schedule (newcomers join half a second before they promote)."""
    total = int(rate * seconds)
    members = {g.id: [user(snowflake(), f"member{i}") for i in range(50)] for g in guilds}
    newcomers = {i: user(snowflake(), f"new{i}") for i in range(total) if i % 10 == 9}
    lead = int(rate / 2)
    promos: dict[str, tuple[float, str, str]] = {}  # message id -> (sent at, token, author)
    chats: list[str] = []
    start = time.perf_counter()
    for i in range(total):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        for j in [i + lead] if i else range(lead + 1):
            if j in newcomers:
                await fake.join(guilds[(j // 10) % len(guilds)], newcomers[j])
        guild = guilds[(i // 10) % len(guilds)]  # ten in a row per server, one a promotion
        if i in newcomers:
            sent = time.perf_counter()
            message = await fake.post_message(guild, "general", newcomers[i], PROMO.format(n=i))
            promos[message["id"]] = (sent, f"SAVE{i}", newcomers[i]["id"])
        else:
            author = members[guild.id][i % 50]
            message = await fake.post_message(guild, "general", author, CHAT[i % len(CHAT)])
            chats.append(message["id"])
    return {"promos": promos, "chats": chats, "elapsed": time.perf_counter() - start}


async def bot_counts(database: str) -> dict[str, int]:
    """Processed events, owed rows, failed rows and requests in the bot's database."""
    conn = await asyncpg.connect(database, timeout=10)
    try:
        return {
            "events": await conn.fetchval("SELECT count(*) FROM processed_events"),
            "owed": await conn.fetchval("SELECT count(*) FROM outbox WHERE status = 'pending'"),
            "failed": await conn.fetchval("SELECT count(*) FROM outbox WHERE status = 'failed'"),
            "requests": await conn.fetchval("SELECT count(*) FROM requests"),
        }
    finally:
        await conn.close()


def report(fake: FakeDiscord, sent: dict[str, Any], counts: dict[str, int]) -> bool:
    """Print the figures; True when nothing was lost or doubled."""
    promos: dict[str, tuple[float, str, str]] = sent["promos"]
    deletes = Counter(c.path.rsplit("/", 1)[1] for c in fake.posted("/messages/", "DELETE"))
    to_delete = [fake_at - promos[mid][0] for mid, fake_at in first_delete(fake).items()]
    by_token = {token: mid for mid, (_, token, _) in promos.items()}
    by_author = {author: at for at, _, author in promos.values()}
    opened: dict[str, float] = {}
    for call in fake.posted("/users/@me/channels"):
        opened.setdefault(str(call.body["recipient_id"]), call.at)
    to_first = [at - by_author[author] for author, at in opened.items() if author in by_author]
    dm_channels = set(fake.dm_channels.values())
    dms = [
        c
        for c in fake.posted("/messages")
        if int(c.path.split("/")[2]) in dm_channels and isinstance(c.body, dict)
    ]
    dm_seen: Counter[str] = Counter()
    to_dm: list[float] = []
    for call in dms:
        text = str(call.body.get("content") or "")
        token = next((t for t in by_token if f"{t}!" in text), None)
        if token is not None:
            dm_seen[token] += 1
            if dm_seen[token] == 1:
                to_dm.append(call.at - promos[by_token[token]][0])
    chat_touched = sum(deletes[mid] for mid in sent["chats"])
    lost_holds = [mid for mid in promos if deletes[mid] == 0]
    doubled_holds = [mid for mid in promos if deletes[mid] > 1]
    lost_notes = [t for t in by_token if dm_seen[t] == 0]
    doubled_notes = [t for t in by_token if dm_seen[t] > 1]
    messages = len(promos) + len(sent["chats"])
    print(f"messages sent: {messages} in {sent['elapsed']:.1f} s ({len(promos)} promotions)")
    hold = f"p50 {pct(to_delete, 0.5):.1f} ms p99 {pct(to_delete, 0.99):.1f} ms"
    first = f"p50 {pct(to_first, 0.5):.1f} ms p99 {pct(to_first, 0.99):.1f} ms"
    print(f"event -> first REST call (open DM): {first}")
    print(f"event -> DELETE (hold): {hold}")
    print(f"event -> etiquette DM:  p50 {pct(to_dm, 0.5):.1f} ms p99 {pct(to_dm, 0.99):.1f} ms")
    print(
        f"holds lost {len(lost_holds)}, doubled {len(doubled_holds)}; chat touched {chat_touched}"
    )
    print(f"notes lost {len(lost_notes)}, doubled {len(doubled_notes)}")
    print(f"database: {counts}")
    expected_events = messages + 2 * len(promos) // 2 + GUILDS  # messages, joins, warm-up joins
    ok = (
        not (lost_holds or doubled_holds or lost_notes or doubled_notes or chat_touched)
        and counts["owed"] == 0
        and counts["failed"] == 0
        and counts["events"] == expected_events
        and counts["requests"] == len(promos)
    )
    print("nothing lost or doubled" if ok else "LOST OR DOUBLED: see above")
    return ok


def first_delete(fake: FakeDiscord) -> dict[str, float]:
    """When each message was first deleted."""
    seen: dict[str, float] = {}
    for call in fake.posted("/messages/", "DELETE"):
        seen.setdefault(call.path.rsplit("/", 1)[1], call.at)
    return seen


async def main() -> int:
    """Run the load once and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--database", help="PostgreSQL URL to use instead of a fresh database")
    args = parser.parse_args()
    server = os.environ.get(
        "GROUPBOT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    database, name = (
        (args.database, None)
        if args.database
        else await make_database(server, "groupbot_discord_load")
    )
    fake = FakeDiscord()
    guilds = [fake.add_guild(0, n) for n in range(GUILDS)]
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules.toml"
        rules.write_text(RULES)
        log = (Path(tmp) / "bot.log").open("wb")
        metrics = free_port()
        proc = await start_bot(fake, database, rules, log, metrics)
        try:
            await fake.until(lambda: bool(fake.identifies) or proc.returncode is not None, 60)
            await warm_up(fake, guilds)
            sent = await load(fake, guilds, args.rate, args.seconds)
            expected = len(sent["promos"])
            with contextlib.suppress(TimeoutError):  # the report says what did not arrive
                await fake.until(
                    lambda: (
                        len(first_delete(fake)) >= expected
                        and len(fake.posted("/channels/", "POST")) >= 3 * expected
                    ),
                    60,
                )
            counts: dict[str, int] = {}
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:  # the last rounds commit just after their calls
                counts = await bot_counts(database)
                if counts["owed"] == 0:
                    break
                await asyncio.sleep(0.1)
            ok = report(fake, sent, counts)
            print(f"bot's own handling per event: {await handle_times(metrics)}")
        finally:
            if proc.returncode is None:
                proc.terminate()
            try:
                async with asyncio.timeout(10):
                    await proc.wait()
            except TimeoutError:
                proc.kill()
            log.close()
            err = (Path(tmp) / "bot.log").read_bytes()
            await fake.stop()
            if name is not None:
                await drop_database(server, name)
    if not ok and err:
        print(err.decode()[-3000:], file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))

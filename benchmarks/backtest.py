"""Backtest throughput and peak memory on a generated Slack export (20 channels).

    python benchmarks/backtest.py [--messages 100000 1000000] [--readers-only]

Writes a Slack-layout export (users.json, channels.json, CHANNEL/YYYY-MM-DD.json), runs the
backtest on it as a separate process (report and --json figures included), and prints
messages/s and peak memory for each size, then how fast the readers alone stream it.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson
from projectenv import use_project_python

use_project_python()  # `python benchmarks/...` works outside the venv too

CHANNELS = ["general", "introductions", "random", "help", "jobs", "events", "design", "dev"]
CHANNELS += [f"topic-{i}" for i in range(20 - len(CHANNELS))]
CHAT = [
    "Morning all, how is everyone's week going?",
    "Does anyone have a good accountant recommendation for a small studio?",
    "Thanks for the tips yesterday, they really helped with my pricing.",
    "I'd go with the second option, it's simpler to maintain.",
    "Great point, I had the same problem with suppliers last year.",
    "This write-up on pricing answered my question: https://hbr.org/pricing-for-freelancers",
]
INTRO = "Hi everyone, I'm {name}, a web designer from Leeds. Glad to be here!"
PITCHES = [
    "Check out my new course at {name}sells.com, 50% off this week only!",
    "DM me for cheap SEO packages, use my code SAVE20 at {name}seo.com",
    "Join my Discord for free leads: discord.gg/{name}leads",
]
START = int(datetime(2025, 1, 6, tzinfo=UTC).timestamp())
PER_DAY = 2_700  # messages a day across the channels: 1M is about a year


def generate(root: Path, messages: int, seed: int = 11) -> None:
    """A deterministic export of `messages` messages, written day by day."""
    rng = random.Random(seed)
    members = 200
    users = [{"id": "U0", "team_id": "TBENCH", "name": "owner", "is_owner": True, "profile": {}}]
    days: dict[str, list[dict[str, object]]] = {}
    written = 0
    day = 0
    while written < messages:
        days = {c: [] for c in CHANNELS}
        for n in range(min(PER_DAY, messages - written)):
            at = START + day * 86_400 + n * 86_400 // PER_DAY
            ts = f"{at}.{n:06d}"
            roll = rng.random()
            if roll < 0.01:  # a newcomer arrives, introduces themselves now and then
                members += 1
                user, channel = f"U{members}", "general"
                m = {"type": "message", "subtype": "channel_join", "user": user, "ts": ts,
                     "text": f"<@{user}> has joined the channel"}  # fmt: skip
            else:
                user = f"U{rng.randint(1, members)}"
                channel = rng.choice(CHANNELS)
                if roll < 0.03:
                    channel, text = "introductions", INTRO.format(name=user)
                elif roll < 0.05:
                    text = rng.choice(PITCHES).format(name=user.lower())
                elif roll < 0.06:
                    m = {"type": "message", "subtype": "bot_message", "bot_id": "B1", "ts": ts,
                         "text": "Deploy finished"}  # fmt: skip
                    days[channel].append(m)
                    continue
                else:
                    text = rng.choice(CHAT)
                m = {"type": "message", "user": user, "text": text, "ts": ts}
                if roll > 0.9:
                    m["thread_ts"] = f"{at - 60}.000000"
            days[channel].append(m)
        date = datetime.fromtimestamp(START + day * 86_400, UTC).date().isoformat()
        for channel, day_messages in days.items():
            if day_messages:
                folder = root / channel
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{date}.json").write_bytes(orjson.dumps(day_messages))
        written += min(PER_DAY, messages - written)
        day += 1
    users += [{"id": f"U{i}", "team_id": "TBENCH", "name": f"user{i}", "profile": {}}
              for i in range(1, members + 1)]  # fmt: skip
    (root / "users.json").write_bytes(orjson.dumps(users))
    channels = [{"id": f"C{i}", "name": c} for i, c in enumerate(CHANNELS)]
    (root / "channels.json").write_bytes(orjson.dumps(channels))


def pss_mb(pid: int) -> float:
    """Proportional set size of a process and its children (shared pages split between them)."""
    total = 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        for one in [pid, *map(int, children)]:
            for line in Path(f"/proc/{one}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) / 1024
    except (OSError, ValueError):  # not Linux, or a process just gone
        pass
    return total


def run_backtest(root: Path, out: Path) -> tuple[float, float, float, float, dict[str, object]]:
    """(seconds, CPU seconds, peak RSS and peak PSS in MB, figures) of one whole backtest.

    The backtest forks a second process: the CPU seconds are both processes', the peak RSS
    the larger process's, and the peak PSS that of the two together, sampled every 0.2 s.
    """
    command = [sys.executable, "-m", "groupbot", "backtest", str(root)]
    command += ["--out", str(out), "--json"]
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        pss, outputs = 0.0, list[bytes]()
        reader = threading.Thread(target=lambda: outputs.extend(process.communicate()))
        reader.start()
        while reader.is_alive():
            pss = max(pss, pss_mb(process.pid))
            reader.join(0.2)
    result = subprocess.CompletedProcess(command, process.returncode, *outputs)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime - cpu
    if result.returncode != 0:
        sys.stderr.write(result.stderr.decode()[-2000:])
        raise SystemExit(result.returncode)
    peak = usage.ru_maxrss
    if peak <= before:
        print("  (peak RSS below an earlier run's: the figure shown is that run's)")
    return seconds, cpu, peak / 1024, pss, orjson.loads(result.stdout)


def readers_only(root: Path) -> float:
    """Records per second of the Slack reader and the merge alone, no engine."""
    from groupbot.local.history.records import Problems
    from groupbot.local.history.source import open_history

    started = time.perf_counter()
    history = open_history(root, "auto", Problems())
    count = sum(1 for _ in history.steps())
    return count / (time.perf_counter() - started)


def main() -> int:
    """Generate each size, backtest it in a child process, and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--readers-only", action="store_true", help="skip the engine runs")
    args = parser.parse_args()
    for size in sorted(args.messages):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "export"
            generate(root, size)
            print(f"== {size:,} messages in {len(CHANNELS)} channels")
            print(f"  readers alone: {readers_only(root):,.0f} records/s")
            if args.readers_only:
                continue
            seconds, cpu, peak, pss, figures = run_backtest(root, Path(tmp) / "report.html")
            print(
                f"  backtest: {size / seconds:,.0f} messages/s whole process ({seconds:.1f} s), "
                f"{size / cpu:,.0f}/s of its CPU time ({cpu:.1f} s, both processes: on a shared "
                f"machine, the steadier figure), peak RSS {peak:.0f} MB (the larger process), "
                f"peak PSS {pss:.0f} MB (both together); {figures['joined']:,} joined, "
                f"{figures['notes']:,} notes, {figures['held']:,} held"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

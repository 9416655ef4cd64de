"""Replay throughput and peak memory on a synthetic community (SQLite, in memory by default).

    python benchmarks/replay_bench.py [--events 100000] [--database URL]

Generates a realistic stream (joins, introductions, chat, link shares, pitches, invites,
cross-post blasts, owner commands), runs `groupbot replay` on it as a separate process, and
prints events/s and peak RSS. Memory flatness: run it with --events 25000, 50000 and 100000.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from projectenv import use_project_python

use_project_python()  # `python benchmarks/...` works outside the venv too

CHAT = [
    "Morning all, how is everyone's week going?",
    "Does anyone have a good accountant recommendation for a small studio?",
    "Thanks for the tips yesterday, they really helped with my pricing.",
    "I'd go with the second option, it's simpler to maintain.",
    "Has anyone been to the trade fair in Birmingham? Worth it?",
    "Great point, I had the same problem with suppliers last year.",
    "What do you all use for invoicing these days?",
]
SHARES = [
    "This article on pricing for freelancers answered my question from last week, "
    "really clear: https://hbr.com/pricing-for-freelancers",
    "Sam, the guide you asked about is here, chapter 3 covers it: https://docs.com/guide",
]
INTROS = [
    "Hi everyone, I'm {name}, a web designer from Leeds. Glad to be here!",
    "Hello! {name} here, I run a small bakery in York and I'm keen to learn from you all.",
]
PITCHES = [
    "Check out my new course at {name}sells.com, 50% off this week only!",
    "DM me for cheap SEO packages, use my code SAVE20 at {name}seo.com",
    "Subscribe to my channel for daily tips: youtube.com/@{name}tips",
    "Join my Discord for free leads: discord.gg/{name}leads",
]


def generate(count: int, seed: int = 7) -> list[str]:
    """A deterministic synthetic stream of `count` events over a few communities."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    lines: list[str] = []
    members: dict[str, list[str]] = {f"c{i}": [] for i in range(5)}
    for community in members:
        lines.append(
            json.dumps(
                {
                    "type": "join",
                    "at": start.isoformat(),
                    "community": community,
                    "member": f"{community}-owner",
                    "name": "Owner",
                    "roles": ["owner"],
                }
            )
        )
    t = start
    while len(lines) < count:
        t += timedelta(seconds=rng.randint(5, 40))
        community = rng.choice(list(members))
        at = t.isoformat().replace("+00:00", "Z")
        roll = rng.random()
        people = members[community]
        if roll < 0.08 or len(people) < 5:
            member = f"{community}-u{len(people)}"
            people.append(member)
            lines.append(
                json.dumps(
                    {
                        "type": "join",
                        "at": at,
                        "community": community,
                        "member": member,
                        "name": f"User{len(people)}",
                    }
                )
            )
            continue
        member = rng.choice(people)
        name = member.split("-")[1]
        if roll < 0.13:
            text, channel = rng.choice(INTROS).format(name=name.title()), "introductions"
        elif roll < 0.2:
            text, channel = rng.choice(PITCHES).format(name=name), "general"
        elif roll < 0.3:
            text, channel = rng.choice(SHARES), "general"
        elif roll < 0.31:
            lines.append(
                json.dumps(
                    {
                        "type": "command",
                        "at": at,
                        "community": community,
                        "member": f"{community}-owner",
                        "name": "queue",
                        "args": [],
                    }
                )
            )
            continue
        else:
            text, channel = rng.choice(CHAT), rng.choice(["general", "random", "help"])
        lines.append(
            json.dumps(
                {
                    "type": "message",
                    "at": at,
                    "community": community,
                    "channel": channel,
                    "member": member,
                    "id": f"m{len(lines)}",
                    "text": text,
                }
            )
        )
    return lines[:count]


def main() -> int:
    """Generate, replay in a child process, and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--database", default=None)
    parser.add_argument("--groupbot", default=str(Path(sys.executable).parent / "groupbot"))
    parser.add_argument("--repeat", type=int, default=3, help="runs: best and median reported")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.jsonl"
        path.write_text("\n".join(generate(args.events)) + "\n")
        command = [args.groupbot, "replay", str(path), "--no-progress"]
        times = []
        for run in range(args.repeat):
            if args.database and run:  # each run on a fresh database, like the first
                database = Path(args.database.removeprefix("sqlite:///"))
                for leftover in database.parent.glob(database.name + "*"):
                    leftover.unlink()
            extra = ["--database", args.database] if args.database else []
            started = time.perf_counter()
            result = subprocess.run(command + extra, capture_output=True)
            times.append(time.perf_counter() - started)
            if result.returncode != 0:
                sys.stderr.write(result.stderr.decode()[-2000:])
                return result.returncode
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    actions = result.stdout.count(b"\n")
    best, median = min(times), sorted(times)[len(times) // 2]
    print(
        f"replay: {args.events:,} events, {actions:,} actions; best of {len(times)}: "
        f"{args.events / best:,.0f} events/s, median {args.events / median:,.0f} events/s "
        f"(whole process, start-up included); peak RSS {peak_mb:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

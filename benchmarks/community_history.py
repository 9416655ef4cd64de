"""Etiquette notes per 1,000 messages when real chat is replayed as a community's history.

    python benchmarks/community_history.py [--shared DIR] [--members 600] [--newcomers 0.15]
                                           [--part held-out|all] [--show]

The texts are real: ubuntu_irc's support chat (the repository's copy, else --shared's), by
default only its `held-out` part (the model is fitted on the other part). The set has no
authors, so who said what is modelled: messages are dealt to --members members with a Zipf
activity curve (a few regulars say most), spread over 30 days in the set's order; a share
--newcomers of the members join during those days (a `join` just before their first post),
the rest were there before the bot. One owner. Everything goes through `groupbot replay` as
a separate process with the default rulebook, and every note and held post is counted and,
with --show, printed beside the post it answers, so a reader can judge each one.

What this proves and what it does not: the wording is real people's, so it measures how often
the engine objects to ordinary conversation; the authorship is not, so the 90/10 budget is
exercised on a modelled distribution of who posts what.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import zlib
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from projectenv import use_project_python

use_project_python()  # `python benchmarks/...` works outside the venv too

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DAYS = 30
COMMUNITY = "ubuntu"
NOTE_KINDS = ("etiquette_note", "hold")


def split(key: str) -> str:
    """The same train / held-out split as benchmarks/detection.py and the model's training."""
    return "held-out" if zlib.crc32(key.encode()) % 5 == 0 else "train"


def read_chat(shared: Path, part: str) -> list[dict[str, str]] | None:
    """The support-chat lines of the chosen part, in the file's order; None when absent."""
    for path in (
        ROOT / "data" / "ubuntu_irc" / "ubuntu_train_sample.jsonl",
        shared / "ubuntu_irc" / "ubuntu_train_sample.jsonl",
    ):
        if path.exists():
            rows = [orjson.loads(line) for line in path.read_bytes().splitlines() if line]
            return [r for r in rows if part == "all" or split(r["id"]) == part]
    return None


def events(chat: list[dict[str, str]], members: int, newcomers: float) -> list[bytes]:
    """The replay stream: an owner, joins for the newcomers, every message as a post."""
    rng = random.Random(20260302)
    weights = [1 / (rank + 1) for rank in range(members)]
    authors = rng.choices(range(members), weights=weights, k=len(chat))
    joining = {m for m in range(members) if rng.random() < newcomers}
    step = timedelta(days=DAYS) / max(len(chat), 1)
    out = [
        orjson.dumps(
            {
                "type": "join",
                "at": (START - timedelta(days=1)).isoformat(),
                "community": COMMUNITY,
                "member": "owner",
                "name": "Owner",
                "roles": ["owner"],
            }
        )
    ]
    seen: set[int] = set()
    for i, (row, author) in enumerate(zip(chat, authors, strict=True)):
        at = START + step * i
        member = f"m{author}"
        if author in joining and author not in seen:
            joined = (at - timedelta(minutes=3)).isoformat()
            out.append(
                orjson.dumps(
                    {
                        "type": "join",
                        "at": joined,
                        "community": COMMUNITY,
                        "member": member,
                        "name": f"Member {author}",
                    }
                )
            )
        seen.add(author)
        post = {
            "type": "message",
            "at": at.isoformat(),
            "community": COMMUNITY,
            "channel": "general",
            "member": member,
            "id": row["id"],
            "text": row["text"],
        }
        out.append(orjson.dumps(post))
    return out


def replay(stream: list[bytes]) -> list[dict[str, object]]:
    """Run `groupbot replay` on the stream; its actions."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.jsonl"
        path.write_bytes(b"\n".join(stream) + b"\n")
        done = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "groupbot"), "replay", str(path)],
            capture_output=True,
            check=True,
        )
    return [orjson.loads(line) for line in done.stdout.splitlines() if line]


def measure(
    chat: list[dict[str, str]], members: int = 600, newcomers: float = 0.15
) -> tuple[float, list[dict[str, object]], int]:
    """Notes per 1,000 messages, the notes and holds themselves, and how many members joined."""
    stream = events(chat, members, newcomers)
    notes = [a for a in replay(stream) if a.get("action") in NOTE_KINDS]
    joined = sum(1 for line in stream if b'"type":"join"' in line) - 1
    sent = sum(1 for a in notes if a["action"] == "etiquette_note")
    return 1000 * sent / max(len(chat), 1), notes, joined


def main() -> None:
    """Print the note rate and, with --show, every note beside its post."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--members", type=int, default=600)
    parser.add_argument("--newcomers", type=float, default=0.15)
    parser.add_argument("--part", choices=["held-out", "all"], default="held-out")
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    chat = read_chat(args.shared, args.part)
    if chat is None:
        sys.exit("ubuntu_irc is absent: nothing to measure")
    per_1000, notes, joined = measure(chat, args.members, args.newcomers)
    texts = {row["id"]: row["text"] for row in chat}
    by_rule = Counter(f"{a['action']}:{a.get('rule')}" for a in notes)
    size = f"{len(chat):,} messages, {args.members} members, {joined} joined"
    print(f"ubuntu_irc {args.part}: {size}")
    print(f"etiquette notes per 1,000 messages: {per_1000:.2f}   (bar <= 2)")
    print("notes and holds by rule: " + (", ".join(f"{k} {v}" for k, v in by_rule.items()) or "-"))
    if args.show:
        for action in notes:
            message = str(action.get("message"))
            print(f"  {action['action']} [{action.get('rule')}] {texts.get(message, '?')!r}")


if __name__ == "__main__":
    main()

"""`groupbot demo`: a scripted community story through the real engine, as a transcript."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from groupbot.adapters.memory import MemoryPlatform
from groupbot.core.actions import Action, ApprovalRequested, Welcome
from groupbot.core.events import CommandIssued, Event, MemberJoined, MessagePosted
from groupbot.core.rulebook import Rulebook
from groupbot.local.transcript import describe_action, describe_event
from groupbot.service.runtime import open_bot
from groupbot.storage.outbox import OutboxWorker

__all__ = ["demo_events", "run_demo"]

COMMUNITY = "makers-guild"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NAMES = {
    "olive": "Olive",
    "ann": "Ann",
    "ben": "Ben",
    "cara": "Cara",
    "dev": "Dev",
}


def demo_events() -> Iterator[tuple[str | None, Event]]:
    """The story: (chapter heading or None, event) in order."""
    n = 0

    def at(minutes: float) -> datetime:
        return START + timedelta(minutes=minutes)

    def eid() -> str:
        nonlocal n
        n += 1
        return f"demo-{n}"

    def join(minute: float, member: str, roles: frozenset[str] = frozenset()) -> MemberJoined:
        return MemberJoined(COMMUNITY, member, at(minute), eid(), NAMES.get(member, member), roles)

    def say(minute: float, member: str, channel: str, text: str) -> MessagePosted:
        return MessagePosted(COMMUNITY, member, at(minute), eid(), channel, f"msg-{n + 1}", text)

    def run(minute: float, member: str, name: str, *args: str) -> CommandIssued:
        return CommandIssued(COMMUNITY, member, at(minute), eid(), name, tuple(args))

    yield "The owner sets up, newcomers arrive", join(0, "olive", frozenset({"owner"}))
    yield None, join(5, "ann")
    yield None, join(6, "ben")
    yield (
        "Ann introduces herself (her own site is fine in an intro)",
        say(
            10,
            "ann",
            "introductions",
            "Hi everyone! I'm Ann, a ceramicist from Bristol. I make tableware and teach "
            "wheel-throwing; my work is at annclay.com. "
            "Looking forward to learning from you all.",
        ),
    )
    yield (
        "Ben skips the hello and posts a pitch",
        say(
            12,
            "ben",
            "general",
            "Check out my new course at bensells.com, 50% off this week only! DM me for the code.",
        ),
    )
    yield (
        "The owner approves Ben's request",
        run(40, "olive", "approve", "#{ben}", "Welcome aboard"),
    )
    yield "Cara joins and invites everyone to her own group", join(60, "cara")
    yield (
        None,
        say(62, "cara", "general", "Join my Discord for daily maker tips: discord.gg/caratips"),
    )
    yield "Ben tries to approve it himself (refused)", run(63, "ben", "approve", "{cara}")
    yield (
        "The owner denies it with a reason",
        run(70, "olive", "deny", "{cara}", "we'd rather keep the conversation here"),
    )
    yield (
        "Cara introduces herself, then asks first with /share",
        say(
            75,
            "cara",
            "introductions",
            "Hello all, I'm Cara, a woodworker from Leeds. "
            "I mostly build chairs and love hand tools.",
        ),
    )
    yield (
        None,
        run(
            78,
            "cara",
            "share",
            "promotions",
            "I'm running a free spoon-carving workshop on Saturday in Leeds, all welcome!",
        ),
    )
    yield None, run(80, "olive", "approve", "{cara}")
    yield (
        "Ann shares someone else's article, with her own comment (not promotion)",
        say(
            90,
            "ann",
            "general",
            "This piece on glaze chemistry answered the question Ben asked yesterday, really clear "
            "explanation of cone temperatures: https://ceramicsreview.com/glaze-basics",
        ),
    )
    yield "A burst of newcomers: welcomes are paced, the rest greeted together", join(120, "dev")
    for i in range(1, 12):
        yield None, join(120.1 + i / 100, f"guest{i}")
    yield "An owner checks the queue and the community's health", run(200, "olive", "queue")
    yield None, run(201, "olive", "stats")


def _show(out: Console, actions: list[Action], shown: set[str]) -> None:
    """Print the bot's actions; a welcome already shown in full is abbreviated."""
    for action in actions:
        if isinstance(action, Welcome):
            name = NAMES.get(action.member, action.member)
            shape = action.text.replace(name, "{name}")
            batch = action.batch
            if batch and batch[0] != action.member:
                out.print(f"   → groupbot's channel welcome above also greets {escape(name)}")
                continue
            if shape in shown:
                out.print(f"   → groupbot DMs {escape(name)} the personal welcome (as above)")
                continue
            shown.add(shape)
        out.print(f"   → {escape(describe_action(action, NAMES))}")


async def run_demo(database: str | None = None, console: Console | None = None) -> None:
    """Play the story and print what the bot did at each step."""
    out = console or Console(highlight=False, soft_wrap=True)
    with tempfile.TemporaryDirectory(prefix="groupbot-demo-") as tmp:
        url = database or f"sqlite:///{Path(tmp) / 'demo.db'}"
        actions: list[Action] = []
        shown: set[str] = set()
        latest: dict[str, str] = {}  # member -> their latest request id, for the owner's commands
        platform = MemoryPlatform()
        out.print("[bold]groupbot demo[/bold] — a local community, no tokens needed")
        out.print(f"database: {escape(url)}\n")
        async with open_bot(url, Rulebook(), sink=actions.append) as bot:
            worker = OutboxWorker(bot.db, platform)
            for heading, event in demo_events():
                if heading:
                    out.print(f"\n[bold cyan]— {escape(heading)}[/bold cyan]")
                if isinstance(event, CommandIssued):
                    event = replace(event, args=tuple(a.format(**latest) for a in event.args))
                actions.clear()
                await bot.advance(event.at)  # timers due first (e.g. a batched welcome)
                if actions:
                    out.print("[bold](a minute later)[/bold]")
                    _show(out, actions, shown)
                    actions.clear()
                await bot.handle(event)
                await bot.commit()
                out.print(f"[bold]{escape(describe_event(event, NAMES))}[/bold]")
                _show(out, actions, shown)
                for action in actions:
                    if isinstance(action, ApprovalRequested):
                        latest[action.member] = str(action.request)
            actions.clear()
            finish_at = bot.clock
            await bot.finish()
            _show(out, actions, shown)
            delivered = await worker.drain(finish_at)
        out.print(
            f"\n[bold]Delivered[/bold] {delivered} owed messages through the outbox "
            f"({sum(d.kind == 'dm' for d in platform.deliveries)} DMs, "
            f"{sum(d.kind == 'post' for d in platform.deliveries)} channel posts, "
            f"{sum(d.kind == 'owners' for d in platform.deliveries)} owner notifications)."
        )
        out.print("Try it yourself: [bold]groupbot console[/bold]")

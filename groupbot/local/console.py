"""`groupbot console`: an interactive local community in the terminal."""

from __future__ import annotations

import asyncio
import re
import shlex
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from groupbot.adapters.memory import MemoryPlatform
from groupbot.core.actions import Action
from groupbot.core.events import CommandIssued, Event, MemberJoined, MessagePosted
from groupbot.core.rulebook import Rulebook
from groupbot.local.transcript import describe_action
from groupbot.service.bot import Bot
from groupbot.service.runtime import open_bot
from groupbot.storage.outbox import OutboxWorker

__all__ = ["ConsoleSession", "run_console"]

COMMUNITY = "console"
HELP = """\
Speak as anyone; the bot answers as it would on Slack or Discord.
  join NAME [owner|moderator]   NAME joins the community (welcomed)
  NAME: TEXT                    NAME posts TEXT in the current channel
  NAME #CHANNEL: TEXT           NAME posts TEXT in CHANNEL
  NAME /COMMAND ARGS            NAME runs a command: share CHANNEL TEXT, queue,
                                approve ID [NOTE], deny ID REASON, withdraw ID,
                                stats, shadow on|off, forget MEMBER, help,
                                config show|set|reset|history
  #CHANNEL                      switch the current channel
  wait DURATION                 let time pass (e.g. 30m, 25h, 3d): reminders, expiry
  help | quit"""

_DURATION = re.compile(r"^(\d+)([smhd])$")
_POST = re.compile(r"^(?P<who>[\w.-]+)(?:\s+#(?P<channel>[\w-]+))?:\s*(?P<text>.+)$", re.S)
_CMD = re.compile(r"^(?P<who>[\w.-]+)\s+/(?P<cmd>\w+)(?P<args>.*)$", re.S)


class ConsoleSession:
    """Turns typed lines into events for the bot and returns what it did."""

    def __init__(self, bot: Bot, platform: MemoryPlatform) -> None:
        self.bot = bot
        self.platform = platform
        self.worker = OutboxWorker(bot.db, platform)
        self.channel = "general"
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.counter = 0
        self.actions: list[Action] = []

    def _id(self) -> str:
        self.counter += 1
        return f"console-{self.now.timestamp():.0f}-{self.counter}"

    async def line(self, text: str) -> list[str]:
        """Handle one typed line; return the lines to show."""
        text = text.strip()
        if not text:
            return []
        if text in ("help", "?"):
            return [HELP]
        if text.startswith("#"):
            self.channel = text[1:].strip() or self.channel
            return [f"(now in #{self.channel})"]
        if text.startswith("wait "):
            match = _DURATION.match(text[5:].strip())
            if not match:
                return ["usage: wait 30m | 25h | 3d"]
            unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[match[2]]
            self.now += timedelta(**{unit: int(match[1])})
            self.actions.clear()
            await self.bot.advance(self.now)
            await self.bot.commit()
            return [f"(time passes: it is now {self.now:%Y-%m-%d %H:%M} UTC)", *self._report()]
        event = self._event(text)
        if event is None:
            return ["(not understood — type help)"]
        self.now += timedelta(seconds=1)
        self.actions.clear()
        await self.bot.handle(event)
        await self.bot.commit()
        return self._report() or ["(groupbot stays quiet)"]

    def _event(self, text: str) -> Event | None:
        if text.startswith("join "):
            parts = text.split()
            if len(parts) < 2:
                return None
            roles = frozenset(p.lower() for p in parts[2:])
            return MemberJoined(COMMUNITY, parts[1], self.now, self._id(), parts[1], roles)
        if match := _CMD.match(text):
            try:
                args = tuple(shlex.split(match["args"]))
            except ValueError:
                args = tuple(match["args"].split())
            return CommandIssued(
                COMMUNITY, match["who"], self.now, self._id(), match["cmd"], args, self.channel
            )
        if match := _POST.match(text):
            return MessagePosted(
                COMMUNITY,
                match["who"],
                self.now,
                self._id(),
                match["channel"] or self.channel,
                self._id(),
                match["text"],
                name=match["who"],
            )
        return None

    def _report(self) -> list[str]:
        return [f"→ {describe_action(a, {})}" for a in self.actions]


async def run_console(rulebook: Rulebook, database: str | None = None) -> None:
    """Read lines from the terminal until quit or end of input."""
    out = Console(highlight=False, soft_wrap=True)
    with tempfile.TemporaryDirectory(prefix="groupbot-console-") as tmp:
        url = database or f"sqlite:///{Path(tmp) / 'console.db'}"
        platform = MemoryPlatform()
        session_actions: list[Action] = []
        async with open_bot(url, rulebook, sink=session_actions.append) as bot:
            session = ConsoleSession(bot, platform)
            session.actions = session_actions
            out.print("[bold]groupbot console[/bold] — type help, quit to leave")
            while True:
                try:
                    text = await asyncio.to_thread(input, f"[#{session.channel}] > ")
                except EOFError:
                    break
                if text.strip() in ("quit", "exit"):
                    break
                for shown in await session.line(text):
                    out.print(escape(shown))
                await session.worker.drain(session.now)
        if not sys.stdin.isatty():
            out.print("(end of input)")

"""Helpers for engine tests driven through `replay`, the same path production takes."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.core.rulebook import Rulebook, parse_rulebook
from groupbot.local.replay import run_replay
from groupbot.storage.repositories import CommunityRow
from groupbot.storage.unit import UnitOfWork

PITCH_TEXT = "Check out my new course at bensells.com, 50% off this week only!"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: float = 0, *, hours: float = 0, days: float = 0) -> str:
    """An ISO time this many minutes/hours/days after the story starts."""
    t = T0 + timedelta(minutes=minutes, hours=hours, days=days)
    return t.isoformat().replace("+00:00", "Z")


def join(
    member: str,
    minute: float = 0,
    *,
    name: str | None = None,
    roles: list[str] | None = None,
    community: str = "c1",
) -> dict[str, Any]:
    """A join event."""
    event: dict[str, Any] = {
        "type": "join",
        "at": at(minute),
        "community": community,
        "member": member,
        "name": name or member.title(),
    }
    if roles:
        event["roles"] = roles
    return event


def say(
    member: str,
    text: str,
    minute: float = 1,
    *,
    channel: str = "general",
    id: str | None = None,
    community: str = "c1",
    **when: float,
) -> dict[str, Any]:
    """A message event."""
    t = at(minute, **when) if when else at(minute)
    return {
        "type": "message",
        "at": t,
        "community": community,
        "channel": channel,
        "member": member,
        "id": id or f"{member}-{t}-{channel}",
        "text": text,
    }


def cmd(
    member: str, name: str, *args: str, minute: float = 2, community: str = "c1", **when: float
) -> dict[str, Any]:
    """A command event."""
    t = at(minute, **when) if when else at(minute)
    return {
        "type": "command",
        "at": t,
        "community": community,
        "member": member,
        "name": name,
        "args": list(args),
    }


def rulebook(toml: str = "") -> Rulebook:
    """A rulebook from TOML text (defaults when empty)."""
    return parse_rulebook(toml) if toml else Rulebook()


async def replay(
    events: list[dict[str, Any] | str],
    rules: Rulebook | None = None,
    database: str | None = None,
    batch: int = 500,
) -> tuple[int, list[dict[str, Any]], str]:
    """Run events through `replay`; return (exit status, actions, stderr)."""
    lines = [e if isinstance(e, str) else json.dumps(e) for e in events]
    infile = io.BytesIO(("\n".join(lines) + "\n").encode())
    outfile = io.BytesIO()
    errors = io.StringIO()
    code = await run_replay(infile, outfile, rules or Rulebook(), database, batch, False, errors)
    actions = [json.loads(line) for line in outfile.getvalue().splitlines()]
    return code, actions, errors.getvalue()


def kinds(actions: list[dict[str, Any]]) -> list[str]:
    """The action names, in order."""
    return [a["action"] for a in actions]


def only(actions: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """The actions of one kind."""
    return [a for a in actions if a["action"] == kind]


async def seen_before(db: AsyncEngine, community: str) -> None:
    """groupbot served this workspace or server before: no first run when it starts."""
    async with db.begin() as conn:
        await CommunityRow(UnitOfWork(conn), community).claim(datetime.now(UTC))

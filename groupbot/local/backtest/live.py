"""`groupbot report`: the backtest's page, made from what a running groupbot recorded."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from groupbot.core.events import MemberJoined
from groupbot.core.rulebook import Rulebook, rulebook_to_toml
from groupbot.local.backtest.command import settings_used, write_json
from groupbot.local.backtest.figures import Collector
from groupbot.local.backtest.options import OptionError, parse_day, rulebook_from, say
from groupbot.local.backtest.report_html import write_report
from groupbot.local.history.records import Record
from groupbot.service.runtime import open_database
from groupbot.storage.repositories.timeline import Timeline

__all__ = ["report_command"]


async def _collect(
    url: str, community: str, rulebook: Rulebook, start: datetime | None, end: datetime | None
) -> Collector:
    collector = Collector(rulebook)
    async with open_database(url, migrate=False) as engine, engine.connect() as conn:
        timeline = Timeline(conn, community, start, end)
        if not await timeline.exists():
            raise OptionError(f"the database has no community {community!r}")
        async for at, member, name in timeline.joins():
            joined = MemberJoined(community, member, at, f"join:{member}", name)
            collector.on_step((Record("join", at, "", member, name=name), joined))
        async for at, member, channel, promotional in timeline.posts():
            collector.on_step((Record("post", at, channel, member), None))
            collector.count_post(at, promotional)
        collector.forget_step()
        async for logged in timeline.actions():
            collector.on_logged(logged.kind, logged.at, logged.fields)
    return collector


def report_command(
    community: str,
    database: str,
    out: Path | str,
    date_from: str | None = None,
    date_to: str | None = None,
    rules: Path | str | None = None,
    as_json: bool = False,
    *,
    stdout: IO[str] | None = None,
    errors: IO[str] | None = None,
) -> int:
    """Write the report of one community from a live database; the exit status."""
    err = errors if errors is not None else sys.stderr
    try:
        rulebook = rulebook_from(rules)
        span = (parse_day(date_from, "--from"), parse_day(date_to, "--to", end=True))
        collector = asyncio.run(_collect(database, community, rulebook, *span))
    except OptionError as exc:
        say(err, str(exc))
        return 2
    notes = collector.notes
    report: dict[str, Any] = {
        "live": True,
        "community": community,
        "community_name": None,
        "platform": "live",
        "source": "the live database",
        "from": date_from,
        "to": date_to,
        "problems": 0,
        **collector.figures(),
        "settings": settings_used(rulebook, "live database", community, "as recorded"),
        "command": _again(community, date_from, date_to, rules, out, as_json),
    }
    try:
        with Path(out).open("w", encoding="utf-8") as page:
            write_report({**report, "rulebook_toml": rulebook_to_toml(rulebook)}, notes, page)
        if as_json:
            write_json(report, notes, stdout or sys.stdout)
    finally:
        notes.close()
    return 0


def _again(
    community: str,
    date_from: str | None,
    date_to: str | None,
    rules: Path | str | None,
    out: Path | str,
    as_json: bool,
) -> str:
    words = ["groupbot", "report", "-c", community, "--database", "$GROUPBOT_DATABASE_URL"]
    words += ["--from", date_from] if date_from else []
    words += ["--to", date_to] if date_to else []
    words += ["--rules", str(rules)] if rules is not None else []
    words += ["--out", str(out)] + (["--json"] if as_json else [])
    return " ".join(words)

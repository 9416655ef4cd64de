"""The bodies of `groupbot replay PATH --format ...` and `groupbot backtest ...`."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from pathlib import Path
from typing import IO, Any, BinaryIO

import orjson

from groupbot.core.rulebook import Rulebook, rulebook_to_toml
from groupbot.local.action_lines import ActionLines
from groupbot.local.backtest.ahead import history_ahead
from groupbot.local.backtest.drive import drive
from groupbot.local.backtest.figures import Collector
from groupbot.local.backtest.options import (
    OptionError,
    again,
    owner_ids,
    parse_day,
    rulebook_from,
    say,
)
from groupbot.local.backtest.report_html import write_report
from groupbot.local.backtest.spool import NoteSpool
from groupbot.local.history.detect_format import FORMATS, FormatError
from groupbot.local.history.progress import with_progress
from groupbot.local.history.records import Problems
from groupbot.local.history.source import History, open_history
from groupbot.local.history.upstream import run_replay

__all__ = ["backtest_command", "replay_export", "settings_used", "write_json"]

# Events per transaction in a backtest: its database is private and thrown away, so fewer,
# larger commits cost nothing in safety (each member's row is written once per commit).
BACKTEST_BATCH = 5_000


def _open(
    path: Path, fmt: str, rulebook: Rulebook, owners: str | None, private: bool, err: IO[str]
) -> History:
    if fmt not in FORMATS:
        raise OptionError(f"unknown format {fmt!r}: use {', '.join(FORMATS)}")
    return open_history(
        path,
        fmt,
        Problems(err),
        owners=owner_ids(owners),
        owner_roles=frozenset(rulebook.owners.roles),
        include_private=private,
    )


def replay_export(
    path: Path | str,
    fmt: str = "auto",
    rules: Path | str | None = None,
    *,
    include_private: bool = False,
    owners: str | None = None,
    database: str | None = None,
    batch: int = 500,
    progress: bool = True,
    out: BinaryIO | None = None,
    errors: IO[str] | None = None,
) -> int:
    """Replay a history in any format and write every action as JSON Lines; the exit status."""
    out = out if out is not None else sys.stdout.buffer
    err = errors if errors is not None else sys.stderr
    path = Path(path)
    try:
        rulebook = rulebook_from(rules)
        history = _open(path, fmt, rulebook, owners, include_private, err)
    except OptionError as exc:
        say(err, str(exc))
        return 2
    except FormatError as exc:
        say(err, str(exc))
        return 1
    if history.format == "jsonl":
        with path.open("rb") as stream:
            return asyncio.run(run_replay(stream, out, rulebook, database, batch, progress, err))
    sink = ActionLines(out)
    failed = _through_engine(
        history,
        rulebook,
        err,
        f"replaying {path.name}" if progress else None,
        sink=sink,
        after_event=sink.raise_if_gone,
        batch=batch,
        database=database,
        prune=database is None,
    )
    out.flush()
    return 1 if failed or history.problems.count else 0


def _through_engine(
    history: History,
    rulebook: Rulebook,
    err: IO[str],
    progress: str | None,
    dates: tuple[datetime | None, datetime | None] = (None, None),
    **options: Any,
) -> int:
    """Drive the history, read ahead in a second process, through the engine; then close it.

    `progress` labels the progress bar (None: no bar); `options` go to `drive`. Returns the
    number of events the engine could not take.
    """
    try:
        with history_ahead(history, rulebook, *dates) as ahead:
            steps = ahead.steps()
            if progress is not None:
                steps = with_progress(steps, err, progress)
            names = {history.community: history.community_name}
            return asyncio.run(
                drive(
                    steps,
                    rulebook,
                    errors=err,
                    community_names=names,
                    ahead=ahead.store,
                    **options,
                )
            )
    finally:
        history.close()


def settings_used(rulebook: Rulebook, fmt: str, community: str, private: str) -> dict[str, Any]:
    """The settings the report was made with, as the page lists them."""
    rb = rulebook
    rules = rb.rules
    enabled = [name for name in type(rules).model_fields if getattr(rules, name).enabled]
    held = [name for name in type(rules).model_fields if getattr(rules, name).hold]
    return {
        "format": fmt,
        "community": community,
        "intro channels": ", ".join(rb.channels.intro),
        "promotion channels": ", ".join(rb.channels.promotion),
        "watch": f"a newcomer's first {rb.watch.first_posts} posts or {rb.watch.first_days} days",
        "detection.threshold": rb.detection.threshold,
        "rules on": ", ".join(enabled),
        "rules that hold the post": ", ".join(held) or "none",
        "approvals.expire_after_hours": rb.approvals.expire_after_hours,
        "private channels": private,
        "owners": "platform owners and admins, "
        + (", ".join(rb.owners.roles) or "no extra roles")
        + ", and --owners",
    }


def backtest_command(
    path: Path | str,
    fmt: str = "auto",
    rules: Path | str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    out: Path | str = "report.html",
    as_json: bool = False,
    include_private: bool = False,
    owners: str | None = None,
    *,
    progress: bool = True,
    stdout: IO[str] | None = None,
    errors: IO[str] | None = None,
) -> int:
    """Replay a history on a fresh database and write the HTML report; the exit status."""
    err = errors if errors is not None else sys.stderr
    path = Path(path)
    try:
        rulebook = rulebook_from(rules).model_copy(update={"shadow_mode": False})
        start = parse_day(date_from, "--from")
        end = parse_day(date_to, "--to", end=True)
        history = _open(path, fmt, rulebook, owners, include_private, err)
    except OptionError as exc:
        say(err, str(exc))
        return 2
    except FormatError as exc:
        say(err, str(exc))
        return 1
    collector = Collector(rulebook)
    notes = collector.notes
    failed = _through_engine(
        history,
        rulebook,
        err,
        f"backtesting {path.name}" if progress else None,
        (start, end),
        sink=collector.on_action,
        on_step=collector.on_step,
        on_verdict=collector.on_verdict,
        batch=BACKTEST_BATCH,
        prune=history.format != "jsonl",  # JSON Lines may ask for stats
    )
    report: dict[str, Any] = {
        "community": history.community,
        "community_name": history.community_name,
        "platform": history.platform,
        "source": str(path),
        "from": date_from,
        "to": date_to,
        "problems": history.problems.count + failed,
        **collector.figures(),
        "settings": settings_used(
            rulebook,
            history.format,
            history.community_name or history.community,
            "included" if include_private else "not included",
        ),
        "command": again(
            path, history.format, rules, date_from, date_to, out, as_json, include_private, owners
        ),
    }
    try:
        with Path(out).open("w", encoding="utf-8") as page:
            write_report({**report, "rulebook_toml": rulebook_to_toml(rulebook)}, notes, page)
        if as_json:
            write_json(report, notes, stdout or sys.stdout)
    finally:
        notes.close()
    return 1 if report["problems"] else 0


def write_json(report: dict[str, Any], notes: NoteSpool, out: IO[str]) -> None:
    """The figures as one JSON object, the notes streamed into its `notes_sent` list."""
    head = orjson.dumps(report).decode()
    out.write(head[:-1] + ',"notes_sent":[')
    for n, note in enumerate(notes):
        out.write(("," if n else "") + orjson.dumps(note).decode())
    out.write("]}\n")

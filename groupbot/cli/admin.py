"""Owner tasks from the shell: queue, stats, forget, database upgrades."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from groupbot.core.actions import (
    Action,
    CommandRejected,
    Published,
    RequestApproved,
    RequestDenied,
    RequestExpired,
)
from groupbot.core.events import CommandIssued

__all__ = [
    "SHELL_OWNER",
    "export_to",
    "list_failed_events",
    "retry_failed_events",
    "run_command",
    "unknown_community",
    "upgrade_database",
]

SHELL_OWNER = "cli"


async def run_command(
    url: str,
    community: str,
    name: str,
    args: list[str],
    rules: Path | None = None,
    *,
    may_create: bool = False,
) -> int:
    """Run an owner command as the shell's owner; print replies; 1 if it was refused.

    Only with `may_create` (settings given before the community's first event) may it name a
    community the database does not know yet.
    """
    from groupbot.core.rulebook import load_rulebook
    from groupbot.service.runtime import open_bot
    from groupbot.service.settings import Settings

    rulebook = load_rulebook(rules if rules is not None else Settings().groupbot_rulebook)
    missing = None if may_create else await unknown_community(url, community)
    if missing is not None:
        typer.echo(f"groupbot: {missing}", err=True)
        return 1
    actions: list[Action] = []
    now = datetime.now(UTC)
    async with open_bot(url, rulebook, sink=actions.append) as bot:
        await bot.handle(
            CommandIssued(
                community=community,
                member=SHELL_OWNER,
                at=now,
                event_id=f"cli:{name}:{now.isoformat()}",
                name=name,
                args=tuple(args),
                roles=frozenset({"owner"}),
            )
        )
    refused = False
    for action in actions:
        match action:
            case CommandRejected():
                typer.echo(f"groupbot: {action.reason}", err=True)
                refused = True
            case RequestExpired():  # timers due by now fire first
                typer.echo(f"(request #{action.request} lapsed: nobody decided in time)")
            case Published() | RequestDenied() | RequestApproved():
                typer.echo(f"{action.kind}: request #{action.request}")
            case _:
                f = action.fields()
                if f.get("member") == SHELL_OWNER and "text" in f:  # the answer to this command
                    typer.echo(f["text"])
    return 1 if refused else 0


async def unknown_community(url: str, community: str) -> str | None:
    """Why `community` cannot be acted on from the shell (a typo must not create one)."""
    from sqlalchemy import select

    from groupbot.service.runtime import open_database
    from groupbot.storage.models import Community

    async with open_database(url) as engine, engine.connect() as conn:
        if await conn.scalar(select(Community.key).where(Community.key == community)):
            return None
        known = list(await conn.scalars(select(Community.key).order_by(Community.key).limit(11)))
    if not known:
        return f"no community {community!r} in this database: it has none yet"
    more = ", ..." if len(known) > 10 else ""
    return f"no community {community!r} in this database (known: {', '.join(known[:10])}{more})"


async def upgrade_database(url: str, revision: str) -> None:
    """Apply migrations up to `revision`."""
    from groupbot.storage.database import create_engine, database_url
    from groupbot.storage.migrate import upgrade

    engine = create_engine(database_url(url))
    try:
        await upgrade(engine, revision)
    finally:
        await engine.dispose()


async def export_to(url: str, community: str, out: Path | None) -> int:
    """Write the community's export to `out` (or standard output); 2 if it is unknown."""
    import sys

    from groupbot.service.runtime import open_database
    from groupbot.storage.export import export_community

    target = out.with_name(out.name + ".part") if out is not None else None
    async with open_database(url) as engine, engine.connect() as conn:
        if target is None:
            counts = await export_community(conn, community, sys.stdout.buffer.write)
            sys.stdout.buffer.flush()
        else:
            with target.open("wb") as file:
                counts = await export_community(conn, community, file.write)
    if counts is None:
        if target is not None:
            target.unlink(missing_ok=True)
        typer.echo(f"groupbot: the database has no community {community!r}", err=True)
        return 2
    if target is not None and out is not None:
        target.replace(out)  # a half-written export never takes the real file's name
        rows = ", ".join(f"{n} {table}" for table, n in counts.items() if n)
        typer.echo(f"wrote {out}: {rows or 'no rows'}", err=True)
    return 0


async def list_failed_events(url: str, *, as_json: bool = False) -> int:
    """Print the events that could not be stored, oldest first; their count is the exit hint."""
    import json

    from groupbot.service.runtime import open_database
    from groupbot.storage.repositories.failed import list_failed

    async with open_database(url) as db, db.connect() as conn:
        rows = await list_failed(conn, limit=10_000)
    for row in rows:
        if as_json:
            fields = {
                "id": row.id,
                "platform": row.platform,
                "community": row.community,
                "event_id": row.event_id,
                "kind": row.kind,
                "failed_at": row.failed_at.isoformat(),
                "attempts": row.attempts,
                "error": row.error,
            }
            typer.echo(json.dumps(fields, ensure_ascii=True))
        else:
            when = row.failed_at.strftime("%Y-%m-%d %H:%M:%S")
            typer.echo(
                f"#{row.id} {when} {row.platform} {row.community} {row.kind} {row.event_id} "
                f"(attempts {row.attempts}): {row.error.splitlines()[0] if row.error else ''}"
            )
    if not rows and not as_json:
        typer.echo("no failed events")
    return len(rows)


async def retry_failed_events(url: str, ids: list[int], rules: Path | None = None) -> int:
    """Feed failed events to the bot again; 1 if some still fail."""
    from groupbot.core.rulebook import load_rulebook
    from groupbot.service.retry import retry_failed
    from groupbot.service.runtime import open_database
    from groupbot.service.settings import Settings

    rulebook = load_rulebook(rules if rules is not None else Settings().groupbot_rulebook)
    async with open_database(url) as db:
        stored, failing = await retry_failed(db, rulebook, ids)
    typer.echo(f"{stored} stored, {failing} still failing")
    return 1 if failing else 0

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

__all__ = ["export_to", "run_command", "upgrade_database"]

SHELL_OWNER = "cli"


async def run_command(
    url: str, community: str, name: str, args: list[str], rules: Path | None = None
) -> int:
    """Run an owner command as the shell's owner; print replies; 1 if it was refused."""
    from groupbot.core.rulebook import load_rulebook
    from groupbot.service.runtime import open_bot
    from groupbot.service.settings import Settings

    rulebook = load_rulebook(rules if rules is not None else Settings().groupbot_rulebook)
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

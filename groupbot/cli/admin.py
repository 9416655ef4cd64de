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

__all__ = ["run_command", "upgrade_database"]

SHELL_OWNER = "cli"


async def run_command(
    url: str, community: str, name: str, args: list[str], rules: Path | None = None
) -> int:
    """Run an owner command as the shell's owner; print replies; 1 if it was refused."""
    from groupbot.core.rulebook import load_rulebook
    from groupbot.service.runtime import open_bot
    from groupbot.service.settings import Settings

    rulebook = load_rulebook(rules if rules is not None else Settings().groupbot_rulebook)
    missing = await _unknown_community(url, community)
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


async def _unknown_community(url: str, community: str) -> str | None:
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

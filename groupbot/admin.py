"""Owner tasks from the shell: queue, stats, forget, database upgrades."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from groupbot.core.actions import Action
from groupbot.core.events import CommandIssued

__all__ = ["run_command", "upgrade_database"]

SHELL_OWNER = "cli"


async def run_command(
    url: str, community: str, name: str, args: list[str], rules: Path | None = None
) -> int:
    """Run an owner command as the shell's owner; print replies; 1 if it was refused."""
    from groupbot.core.rulebook import load_rulebook
    from groupbot.runtime import open_bot
    from groupbot.settings import Settings

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
        f = action.fields
        if action.action == "command_rejected":
            typer.echo(f"groupbot: {f['reason']}", err=True)
            refused = True
        elif action.action == "request_expired":  # timers due by now fire first
            typer.echo(f"(request #{f['request']} lapsed: nobody decided in time)")
        elif action.action in ("published", "request_denied", "request_approved"):
            typer.echo(f"{action.action}: request #{f['request']}")
        elif f.get("member") == SHELL_OWNER and "text" in f:  # the answer to this command
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

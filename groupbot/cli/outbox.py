"""`groupbot outbox`: the messages owed, the ones given up on, and trying those again."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from groupbot.cli.common import DatabaseOption, database_of

__all__ = ["outbox_app"]

outbox_app = typer.Typer(
    help="Messages the bot owes: list them (those given up on too) and retry failed ones.",
    no_args_is_help=True,
)


@outbox_app.command("list")
def outbox_list(
    community: Annotated[
        str | None, typer.Option("--community", "-c", help="Only this community's rows.")
    ] = None,
    failed: Annotated[bool, typer.Option("--failed", help="Only rows given up on.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a line.")] = False,
    database: DatabaseOption = None,
) -> None:
    """List owed messages, oldest first, with attempts and the last error (never their text)."""
    code = asyncio.run(_list(database_of(database), community, failed, as_json))
    raise typer.Exit(code)


@outbox_app.command("retry")
def outbox_retry(
    ids: Annotated[
        list[int] | None, typer.Argument(help="Failed outbox row ids (default: every one).")
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Put failed rows back to pending with fresh attempts; a running bot sends them at once."""
    raise typer.Exit(asyncio.run(_retry(database_of(database), ids or [])))


def _fields(row: Any) -> dict[str, Any]:
    at = row.next_attempt_at
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return {
        "id": row.id,
        "community": row.community,
        "action": row.action,
        "status": row.status,
        "attempts": row.attempts,
        "next_attempt_at": at.isoformat(),
        "last_error": row.last_error,
    }


async def _list(url: str, community: str | None, failed: bool, as_json: bool) -> int:
    from groupbot.cli.admin import unknown_community
    from groupbot.service.runtime import open_database
    from groupbot.storage.outbox import outbox_rows

    if community is not None:
        missing = await unknown_community(url, community)
        if missing is not None:
            typer.echo(f"groupbot: {missing}", err=True)
            return 1
    async with open_database(url) as engine:
        rows = await outbox_rows(engine, community, failed_only=failed)
    for row in rows:
        fields = _fields(row)
        if as_json:
            typer.echo(json.dumps(fields, ensure_ascii=True))
            continue
        error = (row.last_error or "").splitlines()
        when = fields["next_attempt_at"][:19].replace("T", " ")
        typer.echo(
            f"#{row.id} {row.status} {row.community} {row.action} (attempts {row.attempts}, "
            f"next {when})" + (f": {error[0]}" if error else "")
        )
    if not rows and not as_json:
        typer.echo("no failed outbox rows" if failed else "the outbox is empty")
    return 0


async def _retry(url: str, ids: list[int]) -> int:
    from groupbot.service.runtime import open_database
    from groupbot.storage.outbox import retry_failed_rows

    async with open_database(url) as engine:
        try:
            count = await retry_failed_rows(engine, ids, datetime.now(UTC))
        except LookupError as exc:
            typer.echo(f"groupbot: {exc.args[0]}; nothing was changed", err=True)
            return 1
    typer.echo(f"{count} failed row{'' if count == 1 else 's'} back to pending")
    return 0

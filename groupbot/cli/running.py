"""The operator's commands: `run` the bot, `db upgrade`, failed `events`, `discord` helpers."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

import typer

from groupbot.cli.common import DatabaseOption, RulesOption, database_of, fail, rulebook_of

__all__ = ["db_app", "discord_app", "events_app", "run_app"]

db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
events_app = typer.Typer(
    help="Platform events that could not be stored: list and retry them.", no_args_is_help=True
)
run_app = typer.Typer(
    help="Run the bot: `run slack`, `run discord`, or bare `run` for every platform configured.",
    invoke_without_command=True,
)
discord_app = typer.Typer(help="Discord helpers.", no_args_is_help=True)


@events_app.command("failed")
def events_failed(
    database: DatabaseOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a line.")] = False,
) -> None:
    """List the events kept in failed_events (each with its error), oldest first."""
    from groupbot.cli.admin import list_failed_events

    asyncio.run(list_failed_events(database_of(database), as_json=as_json))


@events_app.command("retry")
def events_retry(
    ids: Annotated[
        list[int] | None, typer.Argument(help="Failed event ids (default: all).")
    ] = None,
    database: DatabaseOption = None,
    rules: RulesOption = None,
) -> None:
    """Feed failed events to the bot again (texts made safe); stored ones leave the list."""
    from groupbot.cli.admin import retry_failed_events

    raise typer.Exit(asyncio.run(retry_failed_events(database_of(database), ids or [], rules)))


@db_app.command("upgrade")
def db_upgrade(
    database: DatabaseOption = None,
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Apply migrations to $GROUPBOT_DATABASE_URL."""
    from groupbot.cli.admin import upgrade_database

    try:
        asyncio.run(upgrade_database(database_of(database), revision))
    except ValueError as exc:
        fail(str(exc))
    typer.echo("database is up to date")


MetricsPort = Annotated[int, typer.Option(help="Port for /healthz, /readyz and /metrics.")]
MetricsHost = Annotated[
    str,
    typer.Option(
        "--metrics-host",
        help="Address for /healthz, /readyz and /metrics (default: this machine only).",
    ),
]
LogLevel = Annotated[
    str, typer.Option("--log-level", help="debug, info, warning or error.", case_sensitive=False)
]
LogFormatOption = Annotated[
    str, typer.Option("--log-format", help="text, or json (one object a line).")
]
LOCAL = "127.0.0.1"


def _start_logging(level: str, fmt: str) -> None:
    """Configure logging before anything runs; secrets from the environment are redacted."""
    from groupbot.service.logs import configure_logging
    from groupbot.service.settings import Settings

    if fmt not in ("text", "json"):
        fail(f"--log-format must be text or json, not {fmt!r}")
    try:
        configure_logging(level, "json" if fmt == "json" else "text", Settings().secrets())
    except ValueError as exc:
        fail(str(exc))


@run_app.callback()
def run_all(
    ctx: typer.Context,
    rules: RulesOption = None,
    host: Annotated[str, typer.Option(help="Address for Slack's HTTP server.")] = "0.0.0.0",
    port: Annotated[int, typer.Option(help="Slack HTTP port.")] = 3000,
    metrics_port: MetricsPort = 9100,
    metrics_host: MetricsHost = LOCAL,
    log_level: LogLevel = "info",
    log_format: LogFormatOption = "text",
) -> None:
    """Run every platform whose credentials are set in the environment."""
    if ctx.invoked_subcommand is not None:
        return
    from groupbot.cli.launch import run_configured

    _start_logging(log_level, log_format)
    try:
        asyncio.run(run_configured(rulebook_of(rules), host, port, metrics_port, metrics_host))
    except ValueError as exc:
        fail(str(exc))


@run_app.command("slack")
def run_slack(
    http: Annotated[bool, typer.Option("--http", help="Events API over HTTP.")] = False,
    socket: Annotated[bool, typer.Option("--socket", help="Socket Mode (one workspace).")] = False,
    host: Annotated[str, typer.Option(help="Address to listen on (HTTP mode).")] = "0.0.0.0",
    port: Annotated[int, typer.Option(help="Port to listen on (HTTP mode).")] = 3000,
    metrics_port: MetricsPort = 9100,
    metrics_host: MetricsHost = LOCAL,
    log_level: LogLevel = "info",
    log_format: LogFormatOption = "text",
    rules: RulesOption = None,
) -> None:
    """Slack over HTTP (/slack/events, OAuth install) or Socket Mode."""
    if http == socket:
        fail("choose one of --http or --socket")
    from groupbot.cli.launch import launch_slack

    _start_logging(log_level, log_format)
    mode: Literal["http", "socket"] = "http" if http else "socket"
    try:
        asyncio.run(launch_slack(rulebook_of(rules), mode, host, port, metrics_port, metrics_host))
    except ValueError as exc:
        fail(str(exc))


@run_app.command("discord")
def run_discord(
    shard_count: Annotated[int | None, typer.Option(help="Total shards across processes.")] = None,
    shard_ids: Annotated[
        str | None, typer.Option(help="Shards this process runs, e.g. 0,1 (needs --shard-count).")
    ] = None,
    dev_guild: Annotated[
        int | None, typer.Option(help="Sync slash commands to this guild only (fast).")
    ] = None,
    metrics_host: Annotated[
        str,
        typer.Option(
            "--metrics-host",
            "--host",
            help="Address for /healthz, /readyz and /metrics (default: this machine only).",
        ),
    ] = LOCAL,
    metrics_port: MetricsPort = 9100,
    log_level: LogLevel = "info",
    log_format: LogFormatOption = "text",
    rules: RulesOption = None,
) -> None:
    """The Discord bot (DISCORD_TOKEN)."""
    ids: list[int] | None = None
    if shard_ids:
        try:
            ids = [int(part) for part in shard_ids.split(",") if part.strip()]
        except ValueError:
            fail("--shard-ids takes numbers separated by commas, e.g. 0,1")
        if shard_count is None:
            fail("--shard-ids needs --shard-count")
        if any(i < 0 or i >= shard_count for i in ids):
            fail(f"--shard-ids must lie in 0..{shard_count - 1}")
    from groupbot.cli.launch import launch_discord

    _start_logging(log_level, log_format)
    try:
        asyncio.run(
            launch_discord(
                rulebook_of(rules), shard_count, ids, dev_guild, metrics_host, metrics_port
            )
        )
    except ValueError as exc:
        fail(str(exc))


@discord_app.command("invite-url")
def discord_invite_url(
    client_id: Annotated[
        int | None,
        typer.Option(help="Application id (default: read from DISCORD_TOKEN)."),
    ] = None,
    rules: RulesOption = None,
) -> None:
    """Print the OAuth2 install URL with the smallest permissions the enabled features need."""
    from groupbot.cli.launch import discord_invite

    try:
        typer.echo(discord_invite(rulebook_of(rules), client_id))
    except ValueError as exc:
        fail(str(exc))

"""The `groupbot` command line."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated, Literal, NoReturn

import typer

from groupbot.cli.config import config_app
from groupbot.cli.streams import quiet_when_reader_gone

__all__ = ["app", "main"]

app = typer.Typer(
    name="groupbot",
    help="A community-etiquette bot for Slack and Discord: welcome, coach, and an approval queue.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
rules_app = typer.Typer(
    help="Check a rulebook and see how it judges a message.", no_args_is_help=True
)
queue_app = typer.Typer(
    help="Work the approval queue in the configured database.", no_args_is_help=True
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
events_app = typer.Typer(
    help="Platform events that could not be stored: list and retry them.", no_args_is_help=True
)
run_app = typer.Typer(
    help="Run the bot: `run slack`, `run discord`, or bare `run` for every platform configured.",
    invoke_without_command=True,
)
discord_app = typer.Typer(help="Discord helpers.", no_args_is_help=True)
app.add_typer(run_app, name="run")
app.add_typer(discord_app, name="discord")
app.add_typer(rules_app, name="rules")
app.add_typer(queue_app, name="queue")
app.add_typer(db_app, name="db")
app.add_typer(events_app, name="events")
app.add_typer(config_app, name="config")

RulesOption = Annotated[
    Path | None,
    typer.Option("--rules", help="Rulebook TOML file (default: $GROUPBOT_RULEBOOK or built-in)."),
]
DatabaseOption = Annotated[
    str | None,
    typer.Option("--database", help="Database URL (default: $GROUPBOT_DATABASE_URL)."),
]
CommunityOption = Annotated[
    str, typer.Option("--community", "-c", help="Community id the command acts on.")
]


def fail(message: str, code: int = 2) -> NoReturn:
    """One clear line on standard error and a non-zero exit."""
    typer.echo(f"groupbot: {message}", err=True)
    raise typer.Exit(code)


def _rulebook(path: Path | None):  # type: ignore[no-untyped-def]
    from groupbot.core.rulebook import RulebookError, load_rulebook
    from groupbot.service.settings import Settings

    source = path if path is not None else Settings().groupbot_rulebook
    try:
        return load_rulebook(source)
    except RulebookError as exc:
        fail(str(exc))


def _database(url: str | None) -> str:
    from groupbot.cli.errors import check_sqlite_path
    from groupbot.service.settings import Settings

    chosen = url or Settings().groupbot_database_url
    try:
        check_sqlite_path(chosen)
    except ValueError as exc:
        fail(str(exc), 1)
    return chosen


@app.command()
def classify(
    file: Annotated[str, typer.Argument(help="JSON Lines file; '-' or absent for stdin.")] = "-",
    rules: RulesOption = None,
) -> None:
    """Classify messages (JSON Lines in, one verdict per line out)."""
    from groupbot.local.classify import INTRO_CHANNELS, run_classify

    config, intro = None, INTRO_CHANNELS
    if rules is not None:
        from groupbot.core.engine import detector_config

        rulebook = _rulebook(rules)
        config = detector_config(rulebook)
        intro = frozenset(c.lower().lstrip("#") for c in rulebook.channels.intro)
    try:
        stream = sys.stdin.buffer if file == "-" else open(file, "rb")  # noqa: SIM115
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}")
    with stream, quiet_when_reader_gone():  # 141, not click's 1 (classify's "bad line")
        code = run_classify(stream, sys.stdout.buffer, config, intro)
    raise typer.Exit(code)


FormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        help="jsonl, slack-export, discord-export, or auto (told apart by content).",
    ),
]
PrivateOption = Annotated[
    bool, typer.Option("--include-private", help="Also replay private channels and DMs.")
]
OwnersOption = Annotated[
    str | None,
    typer.Option("--owners", help="Member ids with owner rights in an export, comma-separated."),
]


@app.command()
def replay(
    file: Annotated[
        str, typer.Argument(help="Events or an export (file, folder or ZIP); '-' or absent: stdin.")
    ] = "-",
    fmt: FormatOption = "auto",
    rules: RulesOption = None,
    database: Annotated[
        str | None,
        typer.Option("--database", help="Database URL (default: a fresh in-memory database)."),
    ] = None,
    batch: Annotated[int, typer.Option(help="Events per transaction.", min=1)] = 500,
    progress: Annotated[
        bool,
        typer.Option(help="Report progress on stderr (long inputs, or a bar on a terminal)."),
    ] = True,
    include_private: PrivateOption = False,
    owners: OwnersOption = None,
) -> None:
    """Feed recorded events or an export through the real engine; print actions as JSON Lines."""
    if file != "-":
        from groupbot.local.backtest.command import replay_export

        with quiet_when_reader_gone():
            code = replay_export(
                Path(file),
                fmt,
                rules,
                include_private=include_private,
                owners=owners,
                database=database,
                batch=batch,
                progress=progress,
            )
        raise typer.Exit(code)
    if fmt not in ("auto", "jsonl"):
        fail(f"--format {fmt} reads a file or folder, not standard input")
    from groupbot.local.replay import run_replay

    rulebook = _rulebook(rules)
    with quiet_when_reader_gone():  # 141, not click's 1 (replay's "bad line")
        code = asyncio.run(
            run_replay(sys.stdin.buffer, sys.stdout.buffer, rulebook, database, batch, progress)
        )
    raise typer.Exit(code)


@app.command()
def backtest(
    path: Annotated[Path, typer.Argument(help="An export (file, folder or ZIP) or JSON Lines.")],
    out: Annotated[Path, typer.Option("--out", help="The HTML report to write.")],
    fmt: FormatOption = "auto",
    rules: RulesOption = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="First day replayed, YYYY-MM-DD.")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Last day replayed, YYYY-MM-DD.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Also print the report's figures as JSON.")
    ] = False,
    include_private: PrivateOption = False,
    owners: OwnersOption = None,
) -> None:
    """What groupbot would have done over a community's history, as one HTML report."""
    from groupbot.local.backtest.command import backtest_command

    code = backtest_command(
        path, fmt, rules, date_from, date_to, out, as_json, include_private, owners
    )
    raise typer.Exit(code)


@app.command()
def report(
    community: CommunityOption,
    out: Annotated[Path, typer.Option("--out", help="The HTML report to write.")],
    database: DatabaseOption = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="First day reported, YYYY-MM-DD.")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Last day reported, YYYY-MM-DD.")
    ] = None,
    rules: RulesOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Also print the report's figures as JSON.")
    ] = False,
) -> None:
    """What groupbot did in a community, from its database, as the backtest's HTML report."""
    from groupbot.local.backtest.live import report_command

    code = report_command(community, _database(database), out, date_from, date_to, rules, as_json)
    raise typer.Exit(code)


@app.command()
def demo(
    database: Annotated[
        str | None, typer.Option("--database", help="Database URL (default: a SQLite file).")
    ] = None,
) -> None:
    """Play a scripted community story through the real engine and print the transcript."""
    from groupbot.local.demo import run_demo

    asyncio.run(run_demo(database))


@app.command()
def console(rules: RulesOption = None, database: DatabaseOption = None) -> None:
    """An interactive local community: speak as members or owners and watch the bot."""
    from groupbot.local.console import run_console

    asyncio.run(run_console(_rulebook(rules), database))


@rules_app.command("check")
def rules_check(file: Annotated[Path, typer.Argument(help="Rulebook TOML file.")]) -> None:
    """Validate a rulebook; errors name the key and line."""
    _rulebook(file)
    typer.echo(f"{file}: ok")


@rules_app.command("show")
def rules_show(rules: RulesOption = None) -> None:
    """Print the effective rulebook, every setting included."""
    from groupbot.core.rulebook import rulebook_to_toml

    typer.echo(rulebook_to_toml(_rulebook(rules)), nl=False)


@rules_app.command("explain")
def rules_explain(
    text: Annotated[str, typer.Argument(help="The message to judge.")],
    channel: Annotated[str, typer.Option(help="Channel it is posted in.")] = "general",
    newcomer: Annotated[
        bool, typer.Option(help="Judge it as a watched newcomer's post, not yet introduced.")
    ] = True,
    rules: RulesOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Show every signal and rule verdict for one message."""
    from groupbot.local.explain import explain

    typer.echo(explain(_rulebook(rules), text, channel=channel, newcomer=newcomer, as_json=as_json))


@queue_app.command("list")
def queue_list(community: CommunityOption, database: DatabaseOption = None) -> None:
    """List pending requests."""
    from groupbot.cli.admin import run_command

    raise typer.Exit(asyncio.run(run_command(_database(database), community, "queue", [])))


@queue_app.command("approve")
def queue_approve(
    community: CommunityOption,
    request: Annotated[str, typer.Argument(help="Request id (N or #N).")],
    note: Annotated[list[str] | None, typer.Argument(help="Optional note.")] = None,
    database: DatabaseOption = None,
    rules: RulesOption = None,
) -> None:
    """Approve a request as an owner (the bot publishes it at the next delivery)."""
    from groupbot.cli.admin import run_command

    args = [request, *(note or [])]
    code = asyncio.run(run_command(_database(database), community, "approve", args, rules))
    raise typer.Exit(code)


@queue_app.command("deny")
def queue_deny(
    community: CommunityOption,
    request: Annotated[str, typer.Argument(help="Request id (N or #N).")],
    reason: Annotated[list[str], typer.Argument(help="The reason the member will read.")],
    database: DatabaseOption = None,
    rules: RulesOption = None,
) -> None:
    """Deny a request with a reason."""
    from groupbot.cli.admin import run_command

    code = asyncio.run(
        run_command(_database(database), community, "deny", [request, *reason], rules)
    )
    raise typer.Exit(code)


@app.command()
def stats(community: CommunityOption, database: DatabaseOption = None) -> None:
    """The community's health: newcomers, intro rate, notes, promotional share, turnaround."""
    from groupbot.cli.admin import run_command

    raise typer.Exit(asyncio.run(run_command(_database(database), community, "stats", [])))


@app.command()
def forget(
    community: CommunityOption,
    member: Annotated[str, typer.Argument(help="The member id to forget.")],
    database: DatabaseOption = None,
) -> None:
    """Delete everything stored about a member."""
    from groupbot.cli.admin import run_command

    code = asyncio.run(run_command(_database(database), community, "forget", [member]))
    raise typer.Exit(code)


@app.command("export")
def export_data(
    community: CommunityOption,
    database: DatabaseOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (default: standard output).")
    ] = None,
) -> None:
    """Everything stored about a community, as one JSON document for its owners."""
    from groupbot.cli.admin import export_to

    raise typer.Exit(asyncio.run(export_to(_database(database), community, out)))


@events_app.command("failed")
def events_failed(
    database: DatabaseOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a line.")] = False,
) -> None:
    """List the events kept in failed_events (each with its error), oldest first."""
    from groupbot.cli.admin import list_failed_events

    asyncio.run(list_failed_events(_database(database), as_json=as_json))


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

    raise typer.Exit(asyncio.run(retry_failed_events(_database(database), ids or [], rules)))


@db_app.command("upgrade")
def db_upgrade(
    database: DatabaseOption = None,
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Apply migrations to $GROUPBOT_DATABASE_URL."""
    from groupbot.cli.admin import upgrade_database

    try:
        asyncio.run(upgrade_database(_database(database), revision))
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
        asyncio.run(run_configured(_rulebook(rules), host, port, metrics_port, metrics_host))
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
        asyncio.run(launch_slack(_rulebook(rules), mode, host, port, metrics_port, metrics_host))
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
                _rulebook(rules), shard_count, ids, dev_guild, metrics_host, metrics_port
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
        typer.echo(discord_invite(_rulebook(rules), client_id))
    except ValueError as exc:
        fail(str(exc))


@app.callback()
def root(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback when a command fails.")
    ] = False,
) -> None:
    """A community-etiquette bot for Slack and Discord: welcome, coach, and an approval queue."""
    _debug[0] = debug


_debug = [False]


def main() -> None:
    """Console-script entry point: an unexpected failure is one line and exit status 1."""
    try:
        app()
    except Exception as exc:
        if _debug[0]:
            raise
        from groupbot.cli.errors import describe

        typer.echo(f"groupbot: {describe(exc)} (--debug shows the traceback)", err=True)
        raise SystemExit(1) from None

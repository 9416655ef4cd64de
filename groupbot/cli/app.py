"""The `groupbot` command line."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer

from groupbot.cli.common import (
    CommunityOption,
    DatabaseOption,
    RulesOption,
    database_of,
    fail,
    rulebook_of,
)
from groupbot.cli.config import config_app
from groupbot.cli.outbox import outbox_app
from groupbot.cli.running import db_app, discord_app, events_app, run_app
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
app.add_typer(run_app, name="run")
app.add_typer(discord_app, name="discord")
app.add_typer(rules_app, name="rules")
app.add_typer(queue_app, name="queue")
app.add_typer(db_app, name="db")
app.add_typer(events_app, name="events")
app.add_typer(outbox_app, name="outbox")
app.add_typer(config_app, name="config")


@app.command()
def classify(
    file: Annotated[str, typer.Argument(help="JSON Lines file; '-' or absent for stdin.")] = "-",
    rules: RulesOption = None,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            min=0,
            help="Worker processes for a large input; 0: one per CPU, 1: none.",
        ),
    ] = 0,
) -> None:
    """Classify messages (JSON Lines in, one verdict per line out)."""
    from groupbot.local.classify import INTRO_CHANNELS, WorkerLost, run_classify

    config, intro = None, INTRO_CHANNELS
    if rules is not None:
        from groupbot.core.engine import detector_config

        rulebook = rulebook_of(rules)
        config = detector_config(rulebook)
        intro = frozenset(c.lower().lstrip("#") for c in rulebook.channels.intro)
    try:
        stream = sys.stdin.buffer if file == "-" else open(file, "rb")  # noqa: SIM115
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}")
    with stream, quiet_when_reader_gone():  # 141, not click's 1 (classify's "bad line")
        try:
            code = run_classify(stream, sys.stdout.buffer, config, intro, jobs=jobs)
        except WorkerLost as exc:
            sys.stdout.flush()
            fail(str(exc))
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

    rulebook = rulebook_of(rules)
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

    code = report_command(community, database_of(database), out, date_from, date_to, rules, as_json)
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

    asyncio.run(run_console(rulebook_of(rules), database))


@rules_app.command("check")
def rules_check(file: Annotated[Path, typer.Argument(help="Rulebook TOML file.")]) -> None:
    """Validate a rulebook; errors name the key and line."""
    rulebook_of(file)
    typer.echo(f"{file}: ok")


@rules_app.command("show")
def rules_show(rules: RulesOption = None) -> None:
    """Print the effective rulebook, every setting included."""
    from groupbot.core.rulebook import rulebook_to_toml

    typer.echo(rulebook_to_toml(rulebook_of(rules)), nl=False)


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

    typer.echo(
        explain(rulebook_of(rules), text, channel=channel, newcomer=newcomer, as_json=as_json)
    )


@queue_app.command("list")
def queue_list(community: CommunityOption, database: DatabaseOption = None) -> None:
    """List pending requests."""
    from groupbot.cli.admin import run_command

    raise typer.Exit(asyncio.run(run_command(database_of(database), community, "queue", [])))


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
    code = asyncio.run(run_command(database_of(database), community, "approve", args, rules))
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
        run_command(database_of(database), community, "deny", [request, *reason], rules)
    )
    raise typer.Exit(code)


@app.command()
def stats(community: CommunityOption, database: DatabaseOption = None) -> None:
    """The community's health: newcomers, intro rate, notes, promotional share, turnaround."""
    from groupbot.cli.admin import run_command

    raise typer.Exit(asyncio.run(run_command(database_of(database), community, "stats", [])))


@app.command()
def forget(
    community: CommunityOption,
    member: Annotated[str, typer.Argument(help="The member id to forget.")],
    database: DatabaseOption = None,
) -> None:
    """Delete everything stored about a member."""
    from groupbot.cli.admin import run_command

    code = asyncio.run(run_command(database_of(database), community, "forget", [member]))
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

    raise typer.Exit(asyncio.run(export_to(database_of(database), community, out)))


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

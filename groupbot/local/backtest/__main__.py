"""`python -m groupbot.local.backtest`: the history commands before the main CLI has them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from groupbot.local.backtest.command import backtest_command, replay_export

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False)
Format = Annotated[
    str, typer.Option("--format", help="jsonl, slack-export, discord-export or auto.")
]
Rules = Annotated[Path | None, typer.Option("--rules", help="Rulebook TOML file.")]
Private = Annotated[
    bool, typer.Option("--include-private", help="Also replay private channels and DMs.")
]
Owners = Annotated[
    str | None, typer.Option("--owners", help="Member ids with owner rights, comma-separated.")
]


@app.command()
def replay(
    path: Annotated[Path, typer.Argument(help="Export ZIP, folder or file.")],
    fmt: Format = "auto",
    rules: Rules = None,
    include_private: Private = False,
    owners: Owners = None,
    database: Annotated[str | None, typer.Option("--database")] = None,
    batch: Annotated[int, typer.Option(min=1)] = 500,
    progress: Annotated[bool, typer.Option()] = True,
) -> None:
    """Replay a history and print every action as JSON Lines."""
    code = replay_export(
        path,
        fmt,
        rules,
        include_private=include_private,
        owners=owners,
        database=database,
        batch=batch,
        progress=progress,
    )
    raise typer.Exit(code)


@app.command()
def backtest(
    path: Annotated[Path, typer.Argument(help="Export ZIP, folder or file.")],
    out: Annotated[Path, typer.Option("--out", help="The HTML report to write.")],
    fmt: Format = "auto",
    rules: Rules = None,
    date_from: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Also print the figures as JSON.")
    ] = False,
    include_private: Private = False,
    owners: Owners = None,
) -> None:
    """What groupbot would have done over the history, as an HTML report."""
    code = backtest_command(
        path, fmt, rules, date_from, date_to, out, as_json, include_private, owners
    )
    raise typer.Exit(code)


if __name__ == "__main__":
    app()

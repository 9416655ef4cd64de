"""What the command line's commands share: their common options and one-line failures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from groupbot.core.rulebook import Rulebook

__all__ = [
    "CommunityOption",
    "DatabaseOption",
    "RulesOption",
    "database_of",
    "fail",
    "rulebook_of",
]

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


def rulebook_of(path: Path | None) -> Rulebook:
    from groupbot.core.rulebook import RulebookError, load_rulebook
    from groupbot.service.settings import Settings

    source = path if path is not None else Settings().groupbot_rulebook
    try:
        return load_rulebook(source)
    except RulebookError as exc:
        fail(str(exc))


def database_of(url: str | None) -> str:
    from groupbot.cli.errors import check_sqlite_path
    from groupbot.service.settings import Settings

    chosen = url or Settings().groupbot_database_url
    try:
        check_sqlite_path(chosen)
    except ValueError as exc:
        fail(str(exc), 1)
    return chosen

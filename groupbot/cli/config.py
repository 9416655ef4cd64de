"""`groupbot config ...`: a community's own settings from the shell."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from groupbot.cli.admin import SHELL_OWNER
from groupbot.cli.common import CommunityOption, DatabaseOption, RulesOption, database_of

__all__ = ["config_app"]

config_app = typer.Typer(
    help="A community's own settings: show, set, reset, history, export, import.",
    no_args_is_help=True,
)


def _run(community: str, args: list[str], database: str | None, rules: Path | None) -> None:
    """The `config` command as the shell's owner, exactly as members would give it."""
    from groupbot.cli.admin import run_command

    raise typer.Exit(
        asyncio.run(
            run_command(database_of(database), community, "config", args, rules, may_create=True)
        )
    )


@config_app.command("show")
def config_show(
    community: CommunityOption,
    key: Annotated[str | None, typer.Argument(help="A dotted key, e.g. welcome.text.")] = None,
    database: DatabaseOption = None,
    rules: RulesOption = None,
) -> None:
    """The settings in force (the community's own marked with '*'), or one of them."""
    _run(community, ["show", *([key] if key else [])], database, rules)


@config_app.command("set")
def config_set(
    community: CommunityOption,
    key: Annotated[str, typer.Argument(help="A dotted key, e.g. rules.link_flood.max_links.")],
    value: Annotated[list[str], typer.Argument(help="The value: TOML, or plain text.")],
    database: DatabaseOption = None,
    rules: RulesOption = None,
) -> None:
    """Set one setting for the community (the words of the value joined by spaces)."""
    _run(community, ["set", key, *value], database, rules)


@config_app.command("reset")
def config_reset(
    community: CommunityOption,
    key: Annotated[str, typer.Argument(help="A dotted key.")],
    database: DatabaseOption = None,
    rules: RulesOption = None,
) -> None:
    """Put one setting back to the deployment's default."""
    _run(community, ["reset", key], database, rules)


@config_app.command("history")
def config_history(
    community: CommunityOption, database: DatabaseOption = None, rules: RulesOption = None
) -> None:
    """The recent changes: who, when, which key, from what to what."""
    _run(community, ["history"], database, rules)


@config_app.command("export")
def config_export(
    community: CommunityOption, database: DatabaseOption = None, rules: RulesOption = None
) -> None:
    """The community's own settings as a TOML rulebook on standard output."""
    raise typer.Exit(asyncio.run(_export(database_of(database), community, rules)))


@config_app.command("import")
def config_import(
    community: CommunityOption,
    file: Annotated[Path, typer.Argument(help="A TOML rulebook of the settings to set.")],
    database: DatabaseOption = None,
    rules: RulesOption = None,
) -> None:
    """Set every setting in a TOML rulebook, checked as a whole: all of them or none."""
    raise typer.Exit(asyncio.run(_import(database_of(database), community, file, rules)))


async def _export(url: str, community: str, rules: Path | None) -> int:
    from groupbot.core.overrides import overrides_to_toml
    from groupbot.core.rulebook import RulebookError, load_rulebook
    from groupbot.service.communities import Communities
    from groupbot.service.runtime import open_database
    from groupbot.service.settings import Settings
    from groupbot.service.transactions import Transactions

    try:
        rulebook = load_rulebook(rules if rules is not None else Settings().groupbot_rulebook)
    except RulebookError as exc:
        typer.echo(f"groupbot: {exc}", err=True)
        return 1
    async with open_database(url) as engine:
        transactions = Transactions(engine)
        communities = Communities(rulebook)
        try:
            await communities.ensure(await transactions.repository(community), datetime.now(UTC))
        finally:
            await transactions.rollback()  # reading only: not even the community's row is kept
    sys.stdout.write(overrides_to_toml(communities.overrides_of(community)))
    return 0


async def _import(url: str, community: str, file: Path, rules: Path | None) -> int:
    from groupbot.core.overrides import SettingError, overrides_from_toml
    from groupbot.core.rulebook import RulebookError, load_rulebook, read_rulebook_text
    from groupbot.service.communities import Communities
    from groupbot.service.runtime import open_database
    from groupbot.service.settings import Settings
    from groupbot.service.transactions import Transactions

    try:
        rulebook = load_rulebook(rules if rules is not None else Settings().groupbot_rulebook)
        overrides = overrides_from_toml(read_rulebook_text(file), str(file), rulebook)
    except (RulebookError, SettingError) as exc:
        typer.echo(f"groupbot: {exc}", err=True)
        return 1
    now = datetime.now(UTC)
    async with open_database(url) as engine:
        transactions = Transactions(engine)
        communities = Communities(rulebook)
        try:
            repo = await transactions.repository(community)
            await communities.ensure(repo, now)
            done = await communities.save(repo, overrides, SHELL_OWNER, now)
            await transactions.commit()
        except SettingError as exc:
            await transactions.rollback()
            typer.echo(f"groupbot: {exc}", err=True)
            return 1
        except BaseException:
            await transactions.rollback()
            raise
    typer.echo(f"imported {len(done)} setting{'s' if len(done) != 1 else ''} into {community}")
    return 0

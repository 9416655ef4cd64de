"""The command-line options of `replay --format` and `backtest`, checked and turned into values."""

from __future__ import annotations

import shlex
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

from groupbot.core.rulebook import Rulebook, RulebookError, load_rulebook

__all__ = ["OptionError", "again", "owner_ids", "parse_day", "rulebook_from"]


class OptionError(ValueError):
    """An option the command cannot run with (exit status 2)."""


def rulebook_from(rules: Path | str | None) -> Rulebook:
    """The rulebook at `rules`, else $GROUPBOT_RULEBOOK, else the built-in defaults."""
    from groupbot.service.settings import Settings

    source = rules if rules is not None else Settings().groupbot_rulebook
    try:
        return load_rulebook(source)
    except RulebookError as exc:
        raise OptionError(str(exc)) from None


def parse_day(value: str | None, option: str, *, end: bool = False) -> datetime | None:
    """A --from/--to value: a date (a whole day; --to includes it) or an ISO 8601 time."""
    if not value:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise OptionError(f"{option} takes a date such as 2024-01-31, not {value!r}") from None
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    if end and len(value) == 10:  # a bare date: up to the end of that day
        at += timedelta(days=1)
    return at


def owner_ids(owners: str | None) -> frozenset[str]:
    """--owners ID,ID,... as a set of member ids."""
    return frozenset(part.strip() for part in (owners or "").split(",") if part.strip())


def again(
    path: Path,
    fmt: str,
    rules: Path | str | None,
    date_from: str | None,
    date_to: str | None,
    out: Path | str,
    as_json: bool,
    include_private: bool,
    owners: str | None,
) -> str:
    """The command line that makes this report again."""
    words = ["groupbot", "backtest", str(path), "--format", fmt]
    if rules is not None:
        words += ["--rules", str(rules)]
    if date_from:
        words += ["--from", date_from]
    if date_to:
        words += ["--to", date_to]
    words += ["--out", str(out)]
    if as_json:
        words.append("--json")
    if include_private:
        words.append("--include-private")
    if owners:
        words += ["--owners", owners]
    return shlex.join(words)


def say(errors: IO[str], message: str) -> None:
    """One line on standard error, prefixed like every groupbot error."""
    errors.write(f"groupbot: {message}\n")
    errors.flush()

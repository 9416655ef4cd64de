"""What went wrong, in one line an operator can act on (the traceback is for --debug)."""

from __future__ import annotations

import os
import re

__all__ = ["check_sqlite_path", "describe"]

_CLASS_PREFIX = re.compile(r"^<class '[\w.]+'>:\s*")


def _first_line(text: str) -> str:
    line = next((part for part in text.splitlines() if part.strip()), "")
    return _CLASS_PREFIX.sub("", line.strip())


def _database(exc: BaseException) -> str | None:
    """Errors from the database driver, as SQLAlchemy wraps them."""
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    if isinstance(exc, DBAPIError):
        cause = exc.orig.__cause__ if exc.orig is not None else None
        return "database: " + _first_line(str(cause or exc.orig or exc))
    if isinstance(exc, SQLAlchemyError):
        return "database: " + _first_line(str(exc))
    return None


def _platform(exc: BaseException) -> str | None:
    """Refusals from Discord or Slack at start-up."""
    kind = type(exc)
    if kind.__module__.startswith("discord"):
        if kind.__name__ == "LoginFailure":
            return "Discord refused DISCORD_TOKEN: " + _first_line(str(exc))
        return f"Discord: {_first_line(str(exc)) or kind.__name__}"
    if kind.__module__.startswith("slack_sdk") and kind.__name__ == "SlackApiError":
        response = getattr(exc, "response", None)
        error = response.get("error") if response is not None else None
        return f"Slack refused the request: {error or _first_line(str(exc))}"
    return None


def describe(exc: BaseException) -> str:
    """One line for an exception nothing else handled."""
    if isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        return describe(exc.exceptions[0])
    found = _database(exc) or _platform(exc)
    if found is not None:
        return found
    if isinstance(exc, ConnectionRefusedError | TimeoutError) or (
        isinstance(exc, OSError) and "Connect call failed" in str(exc)
    ):
        return f"cannot connect: {_first_line(str(exc)) or type(exc).__name__}"
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror}{where}"
    text = _first_line(str(exc))
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def check_sqlite_path(url: str) -> None:
    """Refuse a SQLite file whose folder is missing or read-only, before any driver runs.

    The async driver's worker thread outlives a failed open and prints a traceback of its
    own after the event loop closes, so this is checked here rather than reported after.
    """
    from pathlib import Path

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return  # not a URL we can read: the database layer says why
    name = parsed.database
    if not parsed.get_backend_name().startswith("sqlite") or not name or name == ":memory:":
        return
    if name.startswith("file:"):
        return
    path = Path(name)
    target = path if path.exists() else path.parent
    if not target.exists():
        raise ValueError(f"cannot open the SQLite database {path}: {target} does not exist")
    if not os.access(target, os.W_OK):
        raise ValueError(f"cannot open the SQLite database {path}: {target} is not writable")

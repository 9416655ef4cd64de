"""Telling a database that is away (retry later) from an event it refuses (keep it aside)."""

from __future__ import annotations

from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout

__all__ = ["unreachable"]

# SQLSTATEs of a server that is not taking work: connection exceptions (class 08), shutting
# down or starting up (57P01-57P03), out of connection slots (53300).
_AWAY_STATES = frozenset({"57P01", "57P02", "57P03", "53300"})


# SQLite reports mistakes no retry mends ("no such column", "too many SQL variables") as
# OperationalError too: only a locked, unopenable or full file is the database being away.
_SQLITE_AWAY = ("database is locked", "unable to open", "disk i/o error", "is full")


def _sqlite_mistake(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None)
    if orig is None or not type(orig).__module__.startswith("sqlite3"):
        return False
    message = str(orig).lower()
    return not any(away in message for away in _SQLITE_AWAY)


def _away_state(exc: BaseException) -> bool:
    state = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
    return isinstance(state, str) and (state.startswith("08") or state in _AWAY_STATES)


def unreachable(error: BaseException) -> bool:
    """Whether an error (or what caused it) says the database cannot be reached right now."""
    seen: set[int] = set()
    todo: list[BaseException] = [error]
    while todo:
        exc = todo.pop()
        if id(exc) in seen:
            continue
        seen.add(id(exc))
        if isinstance(exc, OperationalError) and _sqlite_mistake(exc):
            return False
        # OSError covers refused and reset connections and timeouts (TimeoutError is one); a
        # pool timeout is a database that takes no new connections.
        if isinstance(
            exc, OSError | OperationalError | InterfaceError | DisconnectionError | PoolTimeout
        ):
            return True
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            return True
        if _away_state(exc):
            return True
        orig = getattr(exc, "orig", None)
        todo.extend(
            e for e in (orig, exc.__cause__, exc.__context__) if isinstance(e, BaseException)
        )
    return False

"""Telling a database that is away (retry later) from an event it refuses (keep it aside)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError

__all__ = ["unreachable"]

# SQLSTATEs of a server that is not taking work: connection exceptions (class 08), shutting
# down or starting up (57P01-57P03), out of connection slots (53300).
_AWAY_STATES = frozenset({"57P01", "57P02", "57P03", "53300"})


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
        # OSError covers refused and reset connections and timeouts (TimeoutError is one).
        if isinstance(exc, OSError | OperationalError | InterfaceError | DisconnectionError):
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

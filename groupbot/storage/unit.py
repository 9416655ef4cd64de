"""One transaction on one connection, with small writes buffered and sent in bulk."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, func, insert, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from groupbot.core.state import MemberState
from groupbot.storage.models import Member, table

__all__ = ["UnitOfWork", "utc"]

# A processed event id or a newcomer already waiting for a welcome is recorded once; writing it
# again (an id reused long after the cache forgot it, a second join) must not fail the batch.
_FACT_TABLES = frozenset({"processed_events", "pending_welcomes"})


def utc(at: datetime) -> datetime:
    """Aware UTC datetimes everywhere (SQLite hands back naive ones)."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


class UnitOfWork:
    """One transaction on one connection; small writes are buffered and sent in bulk."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self._rows: dict[Table, list[dict[str, Any]]] = {}
        self._deferred: dict[Any, list[dict[str, Any]]] = {}
        self._members: dict[tuple[str, str], MemberState] = {}
        self.outbox_written = 0

    def buffer(self, table: Table, row: dict[str, Any]) -> None:
        """Queue a row for a bulk insert at the next flush."""
        self._rows.setdefault(table, []).append(row)

    def defer(self, statement: Any, params: dict[str, Any]) -> None:
        """Queue an UPDATE for the next flush (after the inserts it may depend on)."""
        self._deferred.setdefault(statement, []).append(params)

    async def flush_deferred(self) -> None:
        """Run the queued UPDATEs now."""
        # Swapped out before the first await, so rows queued meanwhile wait for the next flush.
        deferred, self._deferred = self._deferred, {}
        for statement, rows in deferred.items():
            if rows:
                await self.connection.execute(statement, rows)

    def buffered(self, target: Table) -> list[dict[str, Any]]:
        """Rows of one table waiting for the next flush."""
        return self._rows.get(target, [])

    async def flush_table(self, target: Table) -> None:
        """Send one table's buffered rows now (before reading or updating that table)."""
        rows = self._rows.pop(target, None)
        if rows:
            await self.connection.execute(self._insert(target), rows)

    def _insert(self, target: Table) -> Any:
        """INSERT, ignoring rows already there for tables whose rows are facts, not news."""
        if target.name not in _FACT_TABLES:
            return insert(target)
        dialect = self.connection.dialect.name
        return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(
            target
        ).on_conflict_do_nothing()

    def member_dirty(self, community: str, state: MemberState) -> None:
        """Queue a member's row for an upsert at the next flush."""
        self._members[(community, state.member)] = state

    async def flush(self) -> None:
        """Send every buffered write, members first."""
        if self._members:
            await self._upsert_members()
        buffered, self._rows = self._rows, {}
        for target, rows in buffered.items():
            if rows:
                await self.connection.execute(self._insert(target), rows)
        await self.flush_deferred()

    async def _upsert_members(self) -> None:
        rows = [
            {
                "community": community,
                "member": s.member,
                "name": s.name,
                "joined_at": s.joined_at,
                "first_seen_at": s.first_seen_at,
                "introduced_at": s.introduced_at,
                "roles": ",".join(sorted(s.roles)),
                "post_count": s.post_count,
                "own_domains": " ".join(sorted(s.own_domains))[:1000],
                "from_history": s.from_history,
            }
            for (community, _), s in self._members.items()
        ]
        self._members.clear()
        await self.connection.execute(_member_upsert(self.connection.dialect.name), rows)


@functools.cache
def _member_upsert(dialect: str) -> Any:
    """The members upsert for a dialect (built once: building `excluded` is not cheap)."""
    members = table(Member)
    stmt: Any = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(members)
    keys = ("name", "roles", "post_count", "own_domains")
    updates: dict[str, Any] = {k: stmt.excluded[k] for k in keys}
    # A process that did not see the join (another replica) must not make a newcomer an old
    # member again: a known join or introduction is never unset by an upsert.
    for moment in ("joined_at", "introduced_at"):
        updates[moment] = func.coalesce(stmt.excluded[moment], members.c[moment])
    updates["from_history"] = or_(stmt.excluded["from_history"], members.c["from_history"])
    return stmt.on_conflict_do_update(index_elements=["community", "member"], set_=updates)

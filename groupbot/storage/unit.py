"""One transaction on one connection, with small writes buffered and sent in bulk."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, func, insert, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from groupbot.core.state import MemberState
from groupbot.storage.held import HeldRows, MemberKey, Values, check_keys, member_row
from groupbot.storage.models import Member, table

__all__ = ["UnitOfWork", "utc"]

# A processed event id or a newcomer already waiting for a welcome is recorded once; writing it
# again (an id reused long after the cache forgot it, a second join) must not fail the batch.
_FACT_TABLES = frozenset({"processed_events", "pending_welcomes"})
# Rows per executemany at most: a private database's held rows, written at once, would
# otherwise be converted all together (tens of MB for a while).
CHUNK = 10_000


def utc(at: datetime) -> datetime:
    """Aware UTC datetimes everywhere (SQLite hands back naive ones)."""
    if at.tzinfo is UTC:
        return at  # most of them: astimezone would make a copy
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


class UnitOfWork:
    """One transaction on one connection; small writes are buffered and sent in bulk."""

    def __init__(self, connection: AsyncConnection, held: HeldRows | None = None) -> None:
        self.connection = connection
        self.held = held  # rows earlier commits left unwritten (a private database)
        self._rows: dict[Table, list[dict[str, Any]]] = {}
        self._values: dict[Table, Values] = {}
        self._deferred: dict[Any, list[dict[str, Any]]] = {}
        self._members: dict[MemberKey, MemberState] = {}
        self.outbox_written = 0

    def buffer(self, table: Table, row: dict[str, Any]) -> None:
        """Queue a row for a bulk insert at the next flush."""
        self._rows.setdefault(table, []).append(row)

    def buffer_values(self, table: Table, keys: tuple[str, ...], row: tuple[Any, ...]) -> None:
        """Queue a row given as its values in the order of `keys` (the same for every row of
        the table): for tables written once per event, a tuple is cheaper than a dict."""
        batch = self._values.get(table)
        if batch is None:
            batch = self._values[table] = (keys, [])
        elif batch[0] is not keys:  # the usual case is the same tuple: no call
            check_keys(table, batch[0], keys)
        batch[1].append(row)

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
        """Rows of one table waiting for the next flush (those buffered as dicts)."""
        return self._rows.get(target, [])

    async def flush_table(self, target: Table) -> None:
        """Send one table's buffered rows now (before reading or updating that table)."""
        if self.held is not None and target in self.held.tables:
            await self.flush()  # its held rows too
            return
        rows = self._rows.pop(target, None)
        if rows:
            await self._insert_rows(_insert(target, self.connection.dialect.name), rows)
        valued = self._values.pop(target, None)
        if valued is not None:
            await self._insert_values(_insert(target, self.connection.dialect.name), *valued)

    async def _insert_rows(self, statement: Any, rows: list[dict[str, Any]]) -> None:
        """One executemany per CHUNK rows; on SQLite, of plain tuples (see `_plain_insert`)."""
        if len(rows) > CHUNK:
            for start in range(0, len(rows), CHUNK):
                await self._insert_rows(statement, rows[start : start + CHUNK])
            return
        keys = rows[0].keys()
        plan = None
        if self.connection.dialect.name == "sqlite" and all(r.keys() == keys for r in rows):
            plan = _plain_insert(statement, self.connection.dialect, tuple(keys))
        if plan is None:
            await self.connection.execute(statement, rows)
            return
        sql, columns = plan
        # Column by column: each a C-level map over the rows, converted only where needed.
        values = [
            list(map(itemgetter(key), rows)) if key in keys else [default] * len(rows)
            for key, _, default in columns
        ]
        await self.connection.exec_driver_sql(sql, _converted(columns, values))

    async def _insert_values(
        self, statement: Any, keys: tuple[str, ...], rows: list[tuple[Any, ...]]
    ) -> None:
        """One executemany per CHUNK rows buffered as tuples (see `buffer_values`)."""
        if len(rows) > CHUNK:
            for start in range(0, len(rows), CHUNK):
                await self._insert_values(statement, keys, rows[start : start + CHUNK])
            return
        plan = None
        if self.connection.dialect.name == "sqlite":
            plan = _plain_insert(statement, self.connection.dialect, keys)
        if plan is None:
            await self.connection.execute(
                statement, [dict(zip(keys, r, strict=True)) for r in rows]
            )
            return
        sql, columns = plan
        transposed = list(zip(*rows, strict=True))
        where = {key: n for n, key in enumerate(keys)}
        values = [
            transposed[where[key]] if key in where else [default] * len(rows)
            for key, _, default in columns
        ]
        await self.connection.exec_driver_sql(sql, _converted(columns, values))

    def member_dirty(self, community: str, state: MemberState) -> None:
        """Queue a member's row for an upsert at the next flush."""
        self._members[(community, state.member)] = state

    async def flush(self) -> None:
        """Send every buffered write, members first (and the rows earlier commits held)."""
        rows = self._member_rows()
        held = self.held
        if held is not None and held and not held.written:
            rows = {**held.members, **rows}
            for target, (keys, values) in held.values.items():
                mine = self._values.get(target)
                if mine is not None:
                    check_keys(target, keys, mine[0])
                self._values[target] = (keys, values + mine[1] if mine else list(values))
            held.written = True
        if rows:
            await self._insert_rows(_member_upsert(self.connection.dialect.name), [*rows.values()])
        await self._flush_rows()

    async def flush_holding(self) -> tuple[dict[MemberKey, dict[str, Any]], dict[Table, Values]]:
        """Send every buffered write but those held (HeldRows): the members' rows, and the
        rows of the tables held, to be held until a read or the last commit."""
        rows = self._member_rows()
        tables = self.held.tables if self.held is not None else ()
        values = {t: self._values.pop(t) for t in tables if t in self._values}
        await self._flush_rows()
        return rows, values

    async def _flush_rows(self) -> None:
        buffered, self._rows = self._rows, {}
        valued, self._values = self._values, {}
        dialect = self.connection.dialect.name
        for target, rows in buffered.items():
            if rows:
                await self._insert_rows(_insert(target, dialect), rows)
        for target, (keys, values) in valued.items():
            await self._insert_values(_insert(target, dialect), keys, values)
        await self.flush_deferred()

    def _member_rows(self) -> dict[MemberKey, dict[str, Any]]:
        """The rows of the members changed since the last flush (forgotten as changed)."""
        members, self._members = self._members, {}
        return {key: member_row(key[0], state) for key, state in members.items()}


@functools.cache
def _insert(target: Table, dialect: str) -> Any:
    """INSERT, ignoring rows already there for tables whose rows are facts, not news."""
    if target.name not in _FACT_TABLES:
        return insert(target)
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(
        target
    ).on_conflict_do_nothing()


_Column = tuple[str, Callable[[Any], Any] | None, Any]


def _converted(columns: tuple[_Column, ...], values: list[Any]) -> list[tuple[Any, ...]]:
    """The rows of a plain insert from its columns' values, each converted where it needs."""
    done = [
        v if process is None else list(map(process, v))
        for (_, process, _), v in zip(columns, values, strict=True)
    ]
    return list(zip(*done, strict=True))


@functools.lru_cache(maxsize=256)
def _plain_insert(
    statement: Any, dialect: Dialect, keys: tuple[str, ...]
) -> tuple[str, tuple[_Column, ...]] | None:
    """The SQL of a bulk insert and, per parameter, its key, type conversion and default.

    SQLAlchemy builds and converts every row's parameters one by one, most of the time of a
    bulk insert on SQLite: done here once per statement, the rows become plain tuples. None
    when a column left out has a default only SQLAlchemy can compute.
    """
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    if compiled.positiontup is None:
        return None
    defaults: dict[str, Any] = {}
    for column in compiled.insert_prefetch:
        if column.default is None or not column.default.is_scalar:
            return None
        defaults[column.key] = column.default.arg
    names = tuple(compiled.positiontup)
    if set(names) != set(keys) | set(defaults):  # else SQLAlchemy's path says what is wrong
        return None
    processors = dict(compiled._bind_processors)
    for name in names:
        kind = statement.table.c[name].type.dialect_impl(dialect)
        if isinstance(kind, sqlite.DATETIME) and kind._storage_format == _SQLITE_DATETIME:
            processors[name] = functools.partial(_sqlite_datetime, processors[name])
    return str(compiled), tuple((n, processors.get(n), defaults.get(n)) for n in names)


_SQLITE_DATETIME = sqlite.DATETIME._storage_format


_DATETIME_TEXTS: dict[datetime, str] = {}  # of UTC moments: a post's time is written twice
DATETIME_TEXTS = 16_384  # at most: more than a batch's events, so the second write finds it


def _sqlite_datetime(general: Callable[[Any], Any], value: Any) -> Any:
    """SQLite's DATETIME text for a datetime (what SQLAlchemy writes, without its dict)."""
    if type(value) is not datetime:
        return general(value)
    if value.tzinfo is not UTC:  # equal moments in other zones are other texts: not kept
        return value.isoformat(" ", "microseconds")[:26]
    text = _DATETIME_TEXTS.get(value)
    if text is None:
        if len(_DATETIME_TEXTS) >= DATETIME_TEXTS:
            _DATETIME_TEXTS.clear()
        # isoformat pads the year to 4 digits; the zone is left out
        text = _DATETIME_TEXTS[value] = value.isoformat(" ", "microseconds")[:26]
    return text


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

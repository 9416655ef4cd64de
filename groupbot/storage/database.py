"""Database URLs, async engines and session factories for SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from functools import partial
from typing import Any

import aiosqlite
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine
from sqlalchemy.pool import StaticPool
from sqlalchemy.util import await_

__all__ = [
    "DEFAULT_DATABASE_URL",
    "create_engine",
    "database_url",
    "is_memory_sqlite",
    "session_factory",
]

DEFAULT_DATABASE_URL = "sqlite:///groupbot.db"

# The async driver used when a URL names only the database kind.
_DEFAULT_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg"}
# Drivers SQLAlchemy can only use synchronously; refused up front with a clear message.
_SYNC_DRIVERS = {"pysqlite", "pysqlcipher", "psycopg2", "psycopg2cffi", "pg8000"}
_EXPECTED = "expected sqlite:///FILE, sqlite:// or postgresql://USER@HOST/DB"
SQLITE_BUSY_TIMEOUT_MS = 5000
# A pooled PostgreSQL connection idle this long is pinged before use (busy ones are not).
IDLE_PING_SECONDS = 30.0
PING_TIMEOUT_SECONDS = 3.0
_IDLE_SINCE = "groupbot_idle_since"


def database_url(url: str) -> str:
    """Map a plain or driver-qualified SQLite/PostgreSQL URL to the async URL to connect with."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError(f"not a database URL: {url[:20]!r}...; {_EXPECTED}") from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "postgres":
        backend = "postgresql"
    if backend not in _DEFAULT_DRIVERS:
        raise ValueError(f"unsupported database {backend!r} in {parsed!r}; {_EXPECTED}")
    if driver in _SYNC_DRIVERS:
        raise ValueError(
            f"driver {driver!r} in {parsed!r} is synchronous: use {backend}+"
            f"{_DEFAULT_DRIVERS[backend]}:// or a plain {backend}:// URL"
        )
    if backend == "postgresql" and driver in ("", "asyncpg"):
        mapped = _libpq_to_asyncpg(parsed.set(drivername="postgresql+asyncpg"))
    else:  # an explicit driver is used as given
        mapped = parsed.set(drivername=f"{backend}+{driver or _DEFAULT_DRIVERS[backend]}")
    if mapped.query != parsed.query:
        return mapped.render_as_string(hide_password=False)
    return f"{mapped.drivername}:{url.partition(':')[2]}"  # keep the rest exactly as given


def _libpq_to_asyncpg(url: URL) -> URL:
    """Translate libpq's `sslmode` (as hosting platforms hand out) into asyncpg's `ssl`."""
    if "sslmode" not in url.query:
        return url
    query = dict(url.query)
    sslmode = query.pop("sslmode")
    query.setdefault("ssl", sslmode)
    return url.set(query=query)


def is_memory_sqlite(url: str) -> bool:
    """Tell whether a URL names an in-memory SQLite database."""
    parsed = make_url(database_url(url))
    if parsed.get_backend_name() != "sqlite":
        return False
    return parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory"


def create_engine(url: str, *, inline: bool = False, **kwargs: Any) -> AsyncEngine:
    """Create an AsyncEngine tuned for the backend the URL names.

    `inline`: an in-memory SQLite database is worked on the event loop's own thread.
    """
    url = database_url(url)
    backend = make_url(url).get_backend_name()
    options: dict[str, Any] = {}
    if backend == "sqlite":
        memory = is_memory_sqlite(url)
        if memory:
            options["poolclass"] = StaticPool  # one connection: the whole process sees one database
    else:
        options.update(pool_size=5, max_overflow=10, pool_recycle=1800)
        if make_url(url).get_driver_name() != "asyncpg":
            options["pool_pre_ping"] = True  # other drivers: SQLAlchemy's ping on each checkout
    options.update(kwargs)
    engine = _create_async_engine(url, **options)
    if backend == "sqlite":
        if inline and memory:
            _connect_inline(engine)
        _tune_sqlite(engine, wal=not memory)
    elif not options.get("pool_pre_ping"):
        _check_pooled_connections(engine)
    return engine


def _check_pooled_connections(engine: AsyncEngine) -> None:
    """Replace pooled connections the server closed, or that idled and no longer answer."""

    # pool_pre_ping would ping on every checkout, three round trips on asyncpg (begin, ping,
    # rollback): a good part of a live event's latency. A busy connection needs none: the driver
    # knows when the server hung up. Only one that sat idle (a NAT or failover may have dropped
    # it silently) is pinged. A connection that dies in use is invalidated by SQLAlchemy.
    @event.listens_for(engine.sync_engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        driver = getattr(dbapi_connection, "driver_connection", None)
        is_closed = getattr(driver, "is_closed", None)
        if is_closed is not None and is_closed():
            raise DisconnectionError("the server closed this pooled connection")
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return
        try:
            await_(_ping(driver))
        except Exception as exc:
            raise DisconnectionError("an idle pooled connection no longer answers") from exc


async def _ping(driver: Any) -> None:
    """One round trip on an asyncpg connection, given up after PING_TIMEOUT_SECONDS."""
    # A connection a NAT silently dropped never answers, and TCP would wait many minutes: the
    # timeout is the point. The transaction keeps pgbouncer's transaction mode happy.
    async with asyncio.timeout(PING_TIMEOUT_SECONDS), driver.transaction():
        await driver.fetchrow(";")


class _InlineQueue:
    """aiosqlite's queue to its worker thread, each call run at once on the caller's thread."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Any]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:  # handed to the awaiting caller, as the worker would
            if future is not None:
                future.set_exception(exc)
            return
        if future is not None:
            future.set_result(result)


def _connect_inline(engine: AsyncEngine) -> None:
    """Connect through aiosqlite without its worker thread (for a private in-memory database).

    An in-memory database does no I/O, so each call is a few microseconds: handing it to a
    thread and waking the loop for the answer costs more than the call, for every statement.
    Such a database belongs to one sequential run (replay, backtest): the loop has nothing
    else to do meanwhile.
    """

    @event.listens_for(engine.sync_engine, "do_connect")
    def _do_connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        async def inline() -> aiosqlite.Connection:
            connection = aiosqlite.Connection(partial(sqlite3.connect, *cargs, **cparams), 64)
            connection._tx = _InlineQueue()  # type: ignore[assignment]
            return await connection._connect()  # never started: no thread to stop

        return dialect.loaded_dbapi.connect(async_creator_fn=inline)


def _tune_sqlite(engine: AsyncEngine, *, wal: bool) -> None:
    """Set the per-connection SQLite pragmas: foreign keys, busy timeout and, for files, WAL."""
    pragmas = ["foreign_keys = ON", f"busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}"]
    if wal:
        pragmas += ["journal_mode = WAL", "synchronous = NORMAL"]

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            for pragma in pragmas:
                cursor.execute(f"PRAGMA {pragma}")
        finally:
            cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Return a session factory on the engine whose objects stay usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)

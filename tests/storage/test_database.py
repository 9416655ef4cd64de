"""Database URLs, engine tuning and sessions on both backends."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import StaticPool

from groupbot.core.state import MemberState
from groupbot.storage import database
from groupbot.storage.database import (
    DEFAULT_DATABASE_URL,
    create_engine,
    database_url,
    is_memory_sqlite,
    session_factory,
)
from groupbot.storage.migrate import alembic_config
from groupbot.storage.models import AuditEntry, Base, Community, Member, table
from groupbot.storage.unit import UnitOfWork

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///groupbot.db", "sqlite+aiosqlite:///groupbot.db"),
        (
            "sqlite:////var/lib/groupbot/groupbot.db",
            "sqlite+aiosqlite:////var/lib/groupbot/groupbot.db",
        ),
        ("sqlite://", "sqlite+aiosqlite://"),
        ("sqlite:///:memory:", "sqlite+aiosqlite:///:memory:"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        (
            "postgresql://u:p%40ss@db.example:5433/app",
            "postgresql+asyncpg://u:p%40ss@db.example:5433/app",
        ),
        ("postgres://u@db.example/app", "postgresql+asyncpg://u@db.example/app"),
        ("postgres+asyncpg://u@db.example/app", "postgresql+asyncpg://u@db.example/app"),
        ("postgresql+asyncpg://u@db.example/app", "postgresql+asyncpg://u@db.example/app"),
        ("postgresql+psycopg://u@db.example/app", "postgresql+psycopg://u@db.example/app"),
        (
            "postgres://u:pw@db.example/app?sslmode=require",
            "postgresql+asyncpg://u:pw@db.example/app?ssl=require",
        ),
        (
            "postgresql://u@db.example/app?sslmode=verify-full&application_name=bot",
            "postgresql+asyncpg://u@db.example/app?application_name=bot&ssl=verify-full",
        ),
        (
            "postgresql://u@db.example/app?sslmode=disable&ssl=require",
            "postgresql+asyncpg://u@db.example/app?ssl=require",
        ),
        (
            "postgresql+psycopg://u@db.example/app?sslmode=require",
            "postgresql+psycopg://u@db.example/app?sslmode=require",
        ),
    ],
)
def test_database_url_maps_to_async_drivers(given: str, expected: str) -> None:
    assert database_url(given) == expected


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("mysql://u@db.example/app", "unsupported database 'mysql'"),
        ("oracle+oracledb://u@db.example/app", "unsupported database 'oracle'"),
        ("groupbot.db", "not a database URL"),
        ("", "not a database URL"),
        ("sqlite+pysqlite:///x.db", "is synchronous"),
        ("postgresql+psycopg2://u:secret@db.example/app", "is synchronous"),
    ],
)
def test_database_url_refuses_other_databases_and_sync_drivers(given: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as refused:
        database_url(given)
    assert "\n" not in str(refused.value)
    assert "secret" not in str(refused.value)


def test_default_database_is_a_sqlite_file_in_the_working_directory() -> None:
    assert database_url(DEFAULT_DATABASE_URL) == "sqlite+aiosqlite:///groupbot.db"
    assert not is_memory_sqlite(DEFAULT_DATABASE_URL)


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite+aiosqlite://"])
async def test_in_memory_sqlite_is_one_database_for_the_whole_process(url: str) -> None:
    engine = create_engine(url)
    try:
        assert isinstance(engine.pool, StaticPool)
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        async with session_factory(engine)() as session:
            session.add(Community(key="local:demo", created_at=datetime.now(UTC)))
            await session.commit()
        async with engine.connect() as other:
            assert (await other.scalar(select(func.count()).select_from(Community))) == 1
    finally:
        await engine.dispose()


async def test_a_private_in_memory_database_can_run_without_a_thread() -> None:
    threads = threading.active_count()
    engine = create_engine("sqlite://", inline=True)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
            assert threading.active_count() == threads  # no worker thread was started
            assert await conn.scalar(text("PRAGMA foreign_keys")) == 1
            await conn.execute(Community.__table__.insert(), [{"key": "c", "created_at": NOW}])
        async with engine.connect() as conn:
            assert await conn.scalar(select(func.count()).select_from(Community)) == 1
            with pytest.raises(IntegrityError):  # errors reach the caller as they would
                await conn.execute(Community.__table__.insert(), [{"key": "c", "created_at": NOW}])
    finally:
        await engine.dispose()


async def test_sqlite_file_connections_are_tuned(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'tuned.db'}")
    try:
        async with engine.connect() as conn:
            pragmas = {
                name: (await conn.exec_driver_sql(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            }
    finally:
        await engine.dispose()
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 1,
        "foreign_keys": 1,
        "busy_timeout": 5000,
    }


def test_postgresql_engine_pools_without_a_ping_round_trip() -> None:
    engine = create_engine("postgresql://u@db.example/app")
    assert engine.dialect.driver == "asyncpg"
    assert engine.pool.size() == 5  # type: ignore[attr-defined]
    assert not engine.pool._pre_ping  # type: ignore[attr-defined]


async def test_an_idle_pooled_connection_that_died_is_replaced(
    postgres_server: Any, postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.0)  # every pooled connection is "idle"
    engine = create_engine(postgres_server.async_url(postgres_database), pool_size=1)
    try:
        async with engine.connect() as conn:
            pid = await conn.scalar(text("SELECT pg_backend_pid()"))
            driver = (await conn.get_raw_connection()).driver_connection
        # The connection dies where the driver cannot see it (as behind a NAT that dropped it).
        monkeypatch.setattr(type(driver), "is_closed", lambda _self: False)
        await postgres_server.execute(f"SELECT pg_terminate_backend({pid})")
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT pg_backend_pid()")) != pid
    finally:
        await engine.dispose()


async def test_a_pooled_connection_the_server_closed_is_replaced(
    postgres_server: Any, postgres_database: str
) -> None:
    engine = create_engine(postgres_server.async_url(postgres_database), pool_size=1)
    try:
        async with engine.connect() as conn:
            pid = await conn.scalar(text("SELECT pg_backend_pid()"))
            driver = (await conn.get_raw_connection()).driver_connection
        hung_up = asyncio.Event()
        driver.add_termination_listener(lambda _connection: hung_up.set())
        await postgres_server.execute(f"SELECT pg_terminate_backend({pid})")
        async with asyncio.timeout(10):  # until the driver has seen the server hang up
            await hung_up.wait()
        assert driver.is_closed()
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT pg_backend_pid()")) != pid
    finally:
        await engine.dispose()


class SilentLink:
    """A loopback relay to PostgreSQL that can go silent on its open links, as a NAT that
    forgot them: nothing arrives and nothing is closed. New links still pass."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.silent: list[bool] = []
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        """Listen on a free loopback port; return it."""
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    def silence(self) -> None:
        """Stop relaying on every link open now."""
        self.silent = [True] * len(self.silent)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        index = len(self.silent)
        self.silent.append(False)

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            while data := await src.read(65536):
                if not self.silent[index]:
                    dst.write(data)
                    await dst.drain()
            dst.close()  # one side hung up: so does the relay, towards the other

        await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))

    async def stop(self) -> None:
        """Stop listening (open links end with the test's event loop)."""
        if self.server is not None:
            self.server.close()


async def test_an_idle_connection_that_went_silent_is_replaced_in_seconds(
    postgres_server: Any, postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.0)  # every pooled connection is "idle"
    monkeypatch.setattr(database, "PING_TIMEOUT_SECONDS", 0.5)
    url = make_url(postgres_server.async_url(postgres_database))
    relay = SilentLink(url.host or "127.0.0.1", url.port or 5432)
    port = await relay.start()
    engine = create_engine(url.set(port=port).render_as_string(hide_password=False), pool_size=1)
    try:
        async with engine.connect() as conn:
            pid = await conn.scalar(text("SELECT pg_backend_pid()"))
        relay.silence()  # the pooled connection's link now swallows everything
        async with asyncio.timeout(10), engine.connect() as conn:
            assert await conn.scalar(text("SELECT pg_backend_pid()")) != pid
    finally:
        await engine.dispose()
        await relay.stop()


async def test_engine_starts_on_an_empty_migrated_database(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert (await conn.scalar(text("SELECT version_num FROM alembic_version"))) == head
        for table in Base.metadata.sorted_tables:
            assert (await conn.scalar(select(func.count()).select_from(table))) == 0, table.name


async def test_sessions_keep_objects_usable_after_commit(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    now = datetime.now(UTC)
    async with sessions() as session:
        member = Member(community="slack:T1", member="U1", name="Sam", first_seen_at=now)
        session.add_all([Community(key="slack:T1", created_at=now), member])
        await session.commit()
        assert member.name == "Sam"  # no refresh needed: expire_on_commit=False
        assert member.post_count == 0
    async with sessions() as session:
        stored = await session.get(Member, ("slack:T1", "U1"))
        assert stored is not None
        assert stored.name == "Sam"


async def test_each_test_gets_a_fresh_database(engine: AsyncEngine) -> None:
    # Runs after the test above wrote rows: on PostgreSQL this checks the truncation.
    async with engine.connect() as conn:
        assert (await conn.scalar(select(func.count()).select_from(Member))) == 0


async def test_bulk_writes_store_what_sqlalchemy_would() -> None:
    engine = create_engine("sqlite://", inline=True)
    aware = datetime(2025, 1, 6, 0, 0, 0, 7, tzinfo=UTC)
    rows: list[dict[str, Any]] = [
        {"community": "c", "at": aware, "action": "hold", "member": "m", "message": "1"},
        {"community": "c", "at": NOW, "action": "etiquette_note", "member": None, "message": "2"},
    ]
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
            await conn.execute(AuditEntry.__table__.insert(), rows)  # SQLAlchemy's own path
            uow = UnitOfWork(conn)
            for row in rows:
                uow.buffer(table(AuditEntry), dict(row))
            uow.member_dirty("c", MemberState(member="m", first_seen_at=aware, roles=frozenset()))
            await uow.flush()
            stored = await conn.execute(
                text("SELECT at, action, member, shadow, detail FROM audit_log ORDER BY id")
            )
            first, second, *again = stored.all()
            assert again == [first, second]  # the defaults and the date text included
            assert first[0] == "2025-01-06 00:00:00.000007"
            member = await conn.scalar(text("SELECT first_seen_at FROM members"))
            assert member == "2025-01-06 00:00:00.000007"
    finally:
        await engine.dispose()

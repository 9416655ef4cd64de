"""Database URLs, engine tuning and sessions on both backends."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import StaticPool

from groupbot.storage import database
from groupbot.storage.database import (
    DEFAULT_DATABASE_URL,
    create_engine,
    database_url,
    is_memory_sqlite,
    session_factory,
)
from groupbot.storage.models import Base, Community, Member


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


async def test_engine_starts_on_an_empty_migrated_database(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        assert (await conn.scalar(text("SELECT version_num FROM alembic_version"))) == "0001"
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

"""Database harness: every storage test that takes `engine` runs on SQLite and on PostgreSQL.

Fixtures
- `backend`: "sqlite" or "postgresql" (test ids); pin one with
  `@pytest.mark.parametrize("backend", ["sqlite"])`, or select with `-m "not postgresql"`.
- `database_url`: a migrated, empty database (async driver URL) for the test.
- `engine`: an AsyncEngine on `database_url`, disposed after the test.
- `sessions`: an async_sessionmaker on `engine`.
- `empty_database_url`: an empty, unmigrated database (for migration tests).

PostgreSQL comes from GROUPBOT_TEST_POSTGRES_URL (a server URL whose database is a maintenance
database to connect to, default postgresql://postgres@127.0.0.1:5432/postgres). The session
creates `groupbot_test_<pid>_<random>`, migrates it once, truncates it before each test and
drops it at the end. When the server is unreachable the PostgreSQL tests skip, or fail when
CI=true.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from groupbot.storage import database as db
from groupbot.storage.migrate import upgrade

T = TypeVar("T")

# Property tests draw the same examples on every run, so a suite that passed passes again (CI
# never fails by chance); GROUPBOT_HYPOTHESIS_EXPLORE=1 draws fresh examples to look further.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(
    "explore" if os.environ.get("GROUPBOT_HYPOTHESIS_EXPLORE") else "repeatable"
)

DEFAULT_TEST_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BACKENDS = [
    pytest.param("sqlite", id="sqlite", marks=pytest.mark.sqlite),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
]


def pytest_configure(config: pytest.Config) -> None:
    """Register the backend markers (the suite runs with --strict-markers)."""
    config.addinivalue_line("markers", "sqlite: the test runs on the SQLite backend")
    config.addinivalue_line("markers", "postgresql: the test runs on the PostgreSQL backend")


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a private loop in a worker thread, leaving the test's loop alone."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def migrate(url: str) -> None:
    """Apply every migration to the database at url."""
    engine = db.create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


class PostgresServer:
    """A PostgreSQL server on which the tests create, empty and drop their databases."""

    def __init__(self, url: str) -> None:
        self.url = url  # libpq-style URL of a maintenance database, as asyncpg takes it

    def dsn(self, database: str) -> str:
        """Return the libpq-style URL of a database on this server (for asyncpg)."""
        return make_url(self.url).set(database=database).render_as_string(hide_password=False)

    def async_url(self, database: str) -> str:
        """Return the SQLAlchemy async URL of a database on this server."""
        return db.database_url(self.dsn(database))

    async def execute(self, *statements: str, database: str | None = None) -> None:
        """Run statements outside a transaction on the maintenance (or the named) database."""
        conn = await asyncpg.connect(self.dsn(database) if database else self.url, timeout=10)
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    def create_database(self) -> str:
        """Create a fresh, empty database and return its name."""
        name = f"groupbot_test_{os.getpid()}_{secrets.token_hex(4)}"
        run_async(self.execute(f'CREATE DATABASE "{name}"'))
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting whoever is still on it."""
        run_async(
            self.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{name}' AND pid <> pg_backend_pid()",
                f'DROP DATABASE IF EXISTS "{name}"',
            )
        )

    def truncate(self, name: str) -> None:
        """Empty every table but alembic_version and restart the identity sequences."""
        run_async(self._truncate(name))

    async def _truncate(self, name: str) -> None:
        conn = await asyncpg.connect(self.dsn(name), timeout=10)
        try:
            await conn.execute("SET lock_timeout = '10s'")  # a leaked transaction: fail, not hang
            rows = await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename <> 'alembic_version'"
            )
            if rows:
                tables = ", ".join(f'"{row["tablename"]}"' for row in rows)
                await conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        finally:
            await conn.close()


@pytest.fixture(scope="session")
def postgres_server() -> PostgresServer:
    """The PostgreSQL server for the run; skips (or fails when CI=true) if it is unreachable."""
    server = PostgresServer(
        os.environ.get("GROUPBOT_TEST_POSTGRES_URL") or DEFAULT_TEST_POSTGRES_URL
    )
    try:
        run_async(server.execute("SELECT 1"))
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        where = make_url(server.url).render_as_string(hide_password=True)
        reason = (
            f"PostgreSQL at {where} is unreachable ({type(exc).__name__}: {exc}); set "
            "GROUPBOT_TEST_POSTGRES_URL or run under scripts/with-postgres.sh (make test does)"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; CI=true requires PostgreSQL", pytrace=False)
        pytest.skip(reason)
    return server


@pytest.fixture(scope="session")
def postgres_database(postgres_server: PostgresServer) -> Iterator[str]:
    """Name of the session's migrated PostgreSQL database, dropped at the end."""
    name = postgres_server.create_database()
    try:
        run_async(migrate(postgres_server.async_url(name)))
        yield name
    finally:
        postgres_server.drop_database(name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies instead of migrating again."""
    path = tmp_path_factory.mktemp("sqlite-template") / "groupbot.db"
    run_async(migrate(f"sqlite:///{path}"))
    return path


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend under test: "sqlite" or "postgresql"."""
    name: str = request.param
    return name


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Async URL of a migrated, empty database for this test."""
    if backend == "sqlite":
        path = tmp_path / "groupbot.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return db.database_url(f"sqlite:///{path}")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name: str = request.getfixturevalue("postgres_database")
    server.truncate(name)
    return server.async_url(name)


@pytest.fixture
def empty_database_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[str]:
    """Async URL of an empty, unmigrated database of its own (dropped after the test)."""
    if backend == "sqlite":
        yield db.database_url(f"sqlite:///{tmp_path / 'empty.db'}")
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create_database()
    try:
        yield server.async_url(name)
    finally:
        server.drop_database(name)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An AsyncEngine on the test's migrated, empty database."""
    engine = db.create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A session factory on the test's engine."""
    return db.session_factory(engine)

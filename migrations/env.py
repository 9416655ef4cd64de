"""Alembic environment: a passed connection wins, else GROUPBOT_DATABASE_URL (async driver)."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection, make_url

from groupbot.storage.database import DEFAULT_DATABASE_URL, create_engine, database_url
from groupbot.storage.migrate import context_options
from groupbot.storage.models import metadata

config = context.config
target_metadata = metadata


def configured_url() -> str:
    """Return the async URL of the database named by GROUPBOT_DATABASE_URL."""
    return database_url(os.environ.get("GROUPBOT_DATABASE_URL") or DEFAULT_DATABASE_URL)


def run_migrations_offline() -> None:
    """Emit the migration SQL for GROUPBOT_DATABASE_URL's dialect without connecting."""
    url = configured_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **context_options(make_url(url).get_backend_name()),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations(connection: Connection) -> None:
    """Run the migrations on a synchronous connection."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        **context_options(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_on_configured_url() -> None:
    """Open an async engine on GROUPBOT_DATABASE_URL and run the migrations through it."""
    engine = create_engine(configured_url())
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run_migrations)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    """Run on the connection passed in config.attributes, else on GROUPBOT_DATABASE_URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
    else:
        asyncio.run(run_migrations_on_configured_url())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

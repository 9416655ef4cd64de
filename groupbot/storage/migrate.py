"""Alembic migrations, run programmatically on an async engine; no alembic.ini needed."""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.storage.models import metadata

__all__ = [
    "SchemaBehind",
    "alembic_config",
    "check_drift",
    "context_options",
    "downgrade",
    "migrations_path",
    "require_current",
    "upgrade",
]

# Same layout as alembic.ini's file_template: versions/0001_initial.py
FILE_TEMPLATE = "%%(rev)s_%%(slug)s"  # escaped for ConfigParser


def migrations_path() -> Path:
    """Find the migrations directory: packaged in the wheel, else the repository's."""
    packaged = importlib.resources.files("groupbot") / "_migrations"
    if packaged.is_dir():
        return Path(str(packaged))
    repository = Path(__file__).resolve().parents[2] / "migrations"
    if (repository / "env.py").is_file():
        return repository
    raise FileNotFoundError(f"groupbot's migrations are in neither {packaged} nor {repository}")


def alembic_config(connection: Connection | None = None) -> Config:
    """Build an Alembic Config for groupbot's migrations, optionally bound to a sync connection."""
    config = Config()
    config.set_main_option("script_location", str(migrations_path()))
    config.set_main_option("file_template", FILE_TEMPLATE)
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def context_options(dialect_name: str) -> dict[str, Any]:
    """Return the MigrationContext options shared by env.py and check_drift()."""
    return {"compare_type": True, "render_as_batch": dialect_name == "sqlite"}


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade the engine's database to the revision, in one transaction."""
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Downgrade the engine's database to the revision, in one transaction."""
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))


class SchemaBehind(ValueError):
    """The database's schema is not the one this version of groupbot runs on."""


async def require_current(engine: AsyncEngine) -> None:
    """Refuse a database whose schema is not at the latest migration (nothing is changed)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    async with engine.connect() as conn:
        current = await conn.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
    if current != head:
        at = f"at {current}" if current else "not set up"
        raise SchemaBehind(
            f"the database schema is {at}, this groupbot needs {head}: run `groupbot db upgrade` "
            "first (once, not on every replica's start)"
        )


def check_drift(sync_connection: Connection) -> list[Any]:
    """Return Alembic's autogenerate diffs between the models and the database (empty: no drift)."""
    context = MigrationContext.configure(
        sync_connection, opts=context_options(sync_connection.dialect.name)
    )
    diffs: list[Any] = compare_metadata(context, metadata)
    return diffs

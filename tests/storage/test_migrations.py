"""Migrations: one head, a clean round trip and no drift from the models, on both backends."""

from __future__ import annotations

import asyncio
import io
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import DateTime, bindparam, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.storage.database import create_engine
from groupbot.storage.migrate import (
    alembic_config,
    check_drift,
    downgrade,
    migrations_path,
    upgrade,
)
from groupbot.storage.models import metadata

REPO = Path(__file__).resolve().parents[2]
MODEL_TABLES = set(metadata.tables)


async def table_names(engine: AsyncEngine) -> set[str]:
    """Return the names of the tables in the engine's database."""
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


def test_migrations_are_found_with_env_and_versions() -> None:
    path = migrations_path()
    assert (path / "env.py").is_file()
    assert (path / "script.py.mako").is_file()
    assert list((path / "versions").glob("0001_*.py"))


def test_single_head_and_short_readable_revision_ids() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        assert re.fullmatch(r"\d{4}(_[a-z0-9_]+)?", revision.revision), revision.revision
        name = Path(revision.path).name
        assert name == f"{revision.revision}.py" or name.startswith(f"{revision.revision}_")
        assert revision.module.downgrade.__doc__, f"{revision.revision} has no downgrade"


async def test_upgrade_downgrade_upgrade_round_trip(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        await upgrade(engine)
        assert await table_names(engine) == MODEL_TABLES | {"alembic_version"}
        await downgrade(engine, "base")
        assert await table_names(engine) == {"alembic_version"}
        await upgrade(engine)
        assert await table_names(engine) == MODEL_TABLES | {"alembic_version"}
        async with engine.connect() as conn:
            assert await conn.run_sync(check_drift) == []
    finally:
        await engine.dispose()


async def test_communities_served_before_the_history_read_count_as_read(
    empty_database_url: str,
) -> None:
    engine = create_engine(empty_database_url)
    try:
        await upgrade(engine, "0004_community_settings")
        async with engine.begin() as conn:
            insert = text("INSERT INTO communities (key, created_at) VALUES ('T1', :at)")
            at = bindparam("at", datetime(2026, 1, 5, 10, tzinfo=UTC), DateTime(timezone=True))
            await conn.execute(insert.bindparams(at))
        await upgrade(engine)
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT community, status FROM history_warmups"))).all()
        assert [tuple(r) for r in rows] == [("T1", "done")]  # its posts were counted live
    finally:
        await engine.dispose()


async def test_reads_before_channel_reads_are_the_communities_own_and_come_back(
    empty_database_url: str,
) -> None:
    engine = create_engine(empty_database_url)
    at = bindparam("at", datetime(2026, 1, 5, 10, tzinfo=UTC), DateTime(timezone=True))
    columns = "status, cursor, messages, started_at"

    def key(sync: Any) -> list[str]:
        return list(inspect(sync).get_pk_constraint("history_warmups")["constrained_columns"])

    try:
        await upgrade(engine, "0005_history_warmup")
        async with engine.begin() as conn:
            values = "'done', '', 3, :at"
            sql = f"INSERT INTO history_warmups (community, {columns}) VALUES ('T1', {values})"
            await conn.execute(text(sql).bindparams(at))
        await upgrade(engine)
        async with engine.begin() as conn:
            sql = (
                f"INSERT INTO history_warmups (community, channel, {columns})"
                " VALUES ('T1', 'C1', 'running', '', 0, :at)"
            )
            await conn.execute(text(sql).bindparams(at))
            rows = (
                await conn.execute(
                    text("SELECT community, channel, status FROM history_warmups ORDER BY channel")
                )
            ).all()
            assert await conn.run_sync(key) == ["community", "channel"]
        assert [tuple(r) for r in rows] == [("T1", "", "done"), ("T1", "C1", "running")]
        await downgrade(engine, "0005_history_warmup")
        async with engine.connect() as conn:
            rows = (
                await conn.execute(text("SELECT community, messages FROM history_warmups"))
            ).all()
            assert await conn.run_sync(key) == ["community"]
        assert [tuple(r) for r in rows] == [("T1", 3)]  # the channel's read is forgotten
    finally:
        await engine.dispose()


async def test_no_drift_between_models_and_migrations(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        assert await conn.run_sync(check_drift) == []


async def test_drift_is_reported(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        await upgrade(engine)
        async with engine.begin() as conn:
            await conn.exec_driver_sql("DROP TABLE pending_welcomes")
        async with engine.connect() as conn:
            diffs = await conn.run_sync(check_drift)
    finally:
        await engine.dispose()
    assert [(diff[0], diff[1].name) for diff in diffs] == [("add_table", "pending_welcomes")]


async def test_env_uses_the_passed_connection(
    empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoy = tmp_path / "decoy.db"
    monkeypatch.setenv("GROUPBOT_DATABASE_URL", f"sqlite:///{decoy}")
    engine = create_engine(empty_database_url)
    try:
        await upgrade(engine)
        assert await table_names(engine) == MODEL_TABLES | {"alembic_version"}
    finally:
        await engine.dispose()
    assert not decoy.exists()


async def test_env_without_a_connection_uses_groupbot_database_url(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GROUPBOT_DATABASE_URL", empty_database_url)
    # env.py runs its own event loop here, so give it a thread without one.
    await asyncio.to_thread(command.upgrade, alembic_config(), "head")
    engine = create_engine(empty_database_url)
    try:
        assert await table_names(engine) == MODEL_TABLES | {"alembic_version"}
    finally:
        await engine.dispose()


@pytest.mark.parametrize("url", ["sqlite:///offline.db", "postgresql://u@db.example/app"])
def test_offline_mode_renders_sql_for_groupbot_database_url(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GROUPBOT_DATABASE_URL", url)
    config = alembic_config()
    config.output_buffer = io.StringIO()
    command.upgrade(config, "head", sql=True)
    sql = config.output_buffer.getvalue()
    assert "CREATE TABLE communities" in sql
    assert "CREATE INDEX ix_posts_member_at" in sql
    assert ("TIMESTAMP WITH TIME ZONE" in sql) == url.startswith("postgresql")


def test_alembic_cli_reads_alembic_ini_and_groupbot_database_url(
    database_url: str, tmp_path: Path
) -> None:
    env = {**os.environ, "GROUPBOT_DATABASE_URL": database_url}
    check = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(REPO / "alembic.ini"), "check"],
        cwd=tmp_path,  # were the URL ignored, the default database would land here, not in the repo
        env=env,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr

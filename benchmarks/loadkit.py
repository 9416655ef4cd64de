"""Helpers the load benchmarks share: ports, percentiles, scratch databases, Slack envelopes."""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
import sys
import time
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url


def free_port() -> int:
    """A free loopback TCP port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    """The q-quantile in milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def make_database(server: str, prefix: str) -> tuple[str, str]:
    """Create a throwaway database; return (its URL, its name)."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    conn = await asyncpg.connect(server, timeout=10)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return make_url(server).set(database=name).render_as_string(hide_password=False), name


async def drop_database(server: str, name: str) -> None:
    """Drop the throwaway database."""
    conn = await asyncpg.connect(server, timeout=10)
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        )
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        await conn.close()


async def upgrade(env: dict[str, str]) -> None:
    """`groupbot db upgrade` on the benchmark's database, as its own step (as in production)."""
    command = (sys.executable, "-c", "from groupbot.cli import main; main()", "db", "upgrade")
    proc = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, err = await proc.communicate()
    if proc.returncode:
        raise SystemExit(f"db upgrade failed: {err.decode().strip()}")


def envelope(team: str, event_id: str, event: dict[str, Any]) -> str:
    """An Events API callback body."""
    return json.dumps(
        {
            "token": "legacy",
            "team_id": team,
            "api_app_id": "A0APP",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
        }
    )

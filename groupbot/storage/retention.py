"""The retention sweep's reach: one replica at a time, and every community in the database."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from groupbot.storage.models import Community

__all__ = ["SWEEP_LOCK", "all_communities", "lead_sweep"]

# The sweep's advisory lock key: any bigint, the same in every replica (and used for nothing else).
SWEEP_LOCK = 0x67726F7570626F74 & 0x7FFF_FFFF_FFFF_FFFF


async def lead_sweep(conn: AsyncConnection) -> bool:
    """Take the sweep for this transaction; False when another replica is sweeping now.

    PostgreSQL: a transaction-level advisory lock, released when the transaction ends.
    SQLite has one process writing at a time: it always leads.
    """
    if conn.dialect.name != "postgresql":
        return True
    return bool(await conn.scalar(select(func.pg_try_advisory_xact_lock(SWEEP_LOCK))))


async def all_communities(conn: AsyncConnection) -> list[str]:
    """Every community stored, served by this process or not (Discord shards split them)."""
    return list(await conn.scalars(select(Community.key).order_by(Community.key)))

"""The few reads the Discord adapter makes: a request's details, and which rows are ours."""

from __future__ import annotations

from sqlalchemy import BigInteger, ColumnElement, case, cast, literal_column, select
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.storage.models import OutboxMessage, Request, table
from groupbot.storage.repository import RequestRow

__all__ = ["request_row", "shard_scope"]


async def request_row(engine: AsyncEngine, community: str, request: int) -> RequestRow | None:
    """One approval request of one guild, or None."""
    from groupbot.storage.repository import _request

    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(table(Request)).where(Request.community == community, Request.id == request)
            )
        ).first()
    return _request(row) if row is not None else None


def shard_scope(
    dialect: str, shard_count: int | None, shard_ids: list[int] | None
) -> ColumnElement[bool] | None:
    """Outbox rows of the guilds this process's shards serve ((guild_id >> 22) % shard_count)."""
    if not shard_count or shard_count <= 1 or shard_ids is None:
        return None
    community = table(OutboxMessage).c.community
    numeric = (
        community.op("~")("^[0-9]{1,19}$")
        if dialect == "postgresql"
        else community.op("GLOB")("[0-9]*")
    )
    shifted = cast(community, BigInteger).op(">>")(literal_column("22"))
    shard = case((numeric, shifted.op("%")(literal_column(str(int(shard_count))))), else_=-1)
    return shard.in_(sorted(shard_ids))

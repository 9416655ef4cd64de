"""What operators watch between events: the approval queue's size and age, the outbox's depth."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.storage.models import OutboxMessage, Request
from groupbot.storage.unit import utc

__all__ = ["Backlog", "backlog"]


@dataclass(frozen=True, slots=True)
class Backlog:
    """Pending requests (and when the oldest was asked) and outbox rows by status."""

    pending_requests: int
    oldest_request_at: datetime | None
    outbox: dict[str, int]


async def backlog(engine: AsyncEngine) -> Backlog:
    """One read of the whole database's backlog (every community this database serves)."""
    async with engine.connect() as conn:
        pending = (
            await conn.execute(
                select(func.count(), func.min(Request.created_at)).where(
                    Request.status == "pending"
                )
            )
        ).one()
        rows = await conn.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
        outbox = {str(status): int(n) for status, n in rows}
    oldest = utc(pending[1]) if pending[1] is not None else None
    return Backlog(int(pending[0]), oldest, outbox)

"""The dead letters: platform events that could not be stored, kept with their error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from groupbot.storage.models import FailedEvent, table
from groupbot.storage.unit import utc

__all__ = ["FailedRow", "count_failed", "drop_failed", "keep_failed", "list_failed", "retried"]

ERROR_CHARS = 2000


@dataclass(frozen=True, slots=True)
class FailedRow:
    """One dead letter as operators see it."""

    id: int
    platform: str
    community: str
    event_id: str
    kind: str
    payload: str
    error: str
    failed_at: datetime
    attempts: int


async def keep_failed(
    conn: AsyncConnection,
    *,
    platform: str,
    community: str,
    event_id: str,
    kind: str,
    payload: str,
    error: str,
    at: datetime,
) -> int:
    """Keep an event that could not be stored; return its dead letter's id."""
    result = await conn.execute(
        insert(FailedEvent)
        .values(
            platform=platform,
            community=community,
            event_id=event_id,
            kind=kind,
            payload=payload,
            error=error[:ERROR_CHARS],
            failed_at=at,
            attempts=1,
        )
        .returning(FailedEvent.id)
    )
    return int(result.scalar_one())


async def list_failed(conn: AsyncConnection, limit: int = 100) -> list[FailedRow]:
    """The oldest dead letters first."""
    rows = await conn.execute(
        select(table(FailedEvent)).order_by(FailedEvent.failed_at, FailedEvent.id).limit(limit)
    )
    return [
        FailedRow(
            id=r.id,
            platform=r.platform,
            community=r.community,
            event_id=r.event_id,
            kind=r.kind,
            payload=r.payload,
            error=r.error,
            failed_at=utc(r.failed_at),
            attempts=r.attempts,
        )
        for r in rows
    ]


async def count_failed(conn: AsyncConnection) -> int:
    """How many dead letters there are."""
    return int(await conn.scalar(select(func.count()).select_from(FailedEvent)) or 0)


async def drop_failed(conn: AsyncConnection, failed_id: int) -> None:
    """Forget a dead letter (it was stored at last)."""
    await conn.execute(delete(FailedEvent).where(FailedEvent.id == failed_id))


async def retried(conn: AsyncConnection, failed_id: int, error: str, at: datetime) -> None:
    """A retry failed again: count it and keep the newest error."""
    await conn.execute(
        update(FailedEvent)
        .where(FailedEvent.id == failed_id)
        .values(attempts=FailedEvent.attempts + 1, error=error[:ERROR_CHARS], failed_at=at)
    )

"""One community's recorded past, read back in time order for the owners' report."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.ext.asyncio import AsyncConnection

from groupbot.storage.models import AuditEntry, Community, Member, Post
from groupbot.storage.unit import utc

__all__ = ["LoggedAction", "Timeline"]

CHUNK = 5_000  # rows fetched per round trip: memory stays flat however long the range


@dataclass(frozen=True, slots=True)
class LoggedAction:
    """One audit row: the action's kind, time and JSON fields (text fields may be purged)."""

    kind: str
    at: datetime
    fields: dict[str, Any]
    shadow: bool


def _within(column: Any, start: datetime | None, end: datetime | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if start is not None:
        where.append(column >= start)
    if end is not None:
        where.append(column < end)
    return where


class Timeline:
    """Joins, posts and audited actions of one community between two times."""

    def __init__(
        self,
        conn: AsyncConnection,
        community: str,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> None:
        self._c = conn
        self.community = community
        self.start = start
        self.end = end

    async def exists(self) -> bool:
        """Whether the database knows this community at all."""
        found = await self._c.scalar(select(exists().where(Community.key == self.community)))
        return bool(found)

    async def joins(self) -> AsyncIterator[tuple[datetime, str, str]]:
        """(joined at, member, name) of every newcomer who joined in the range, oldest first."""
        query = (
            select(Member.joined_at, Member.member, Member.name)
            .where(
                Member.community == self.community,
                Member.joined_at.is_not(None),
                *_within(Member.joined_at, self.start, self.end),
            )
            .order_by(Member.joined_at, Member.member)
        )
        async for row in await self._c.stream(query.execution_options(yield_per=CHUNK)):
            if row[0] is not None:
                yield utc(row[0]), row[1], row[2]

    async def posts(self) -> AsyncIterator[tuple[datetime, str, str, bool]]:
        """(at, member, channel, promotional) of every recorded post in the range."""
        query = (
            select(Post.at, Post.member, Post.channel, Post.promotional)
            .where(Post.community == self.community, *_within(Post.at, self.start, self.end))
            .order_by(Post.at, Post.id)
        )
        async for row in await self._c.stream(query.execution_options(yield_per=CHUNK)):
            yield utc(row[0]), row[1], row[2], bool(row[3])

    async def actions(self) -> AsyncIterator[LoggedAction]:
        """Every audited action in the range, in the order it was taken."""
        query = (
            select(AuditEntry.action, AuditEntry.at, AuditEntry.detail, AuditEntry.evidence)
            .add_columns(AuditEntry.shadow)
            .where(
                AuditEntry.community == self.community,
                *_within(AuditEntry.at, self.start, self.end),
            )
            .order_by(AuditEntry.at, AuditEntry.id)
        )
        async for kind, at, detail, evidence, shadow in await self._c.stream(
            query.execution_options(yield_per=CHUNK)
        ):
            fields = orjson.loads(detail or "{}")
            if evidence:
                fields.update(orjson.loads(evidence))
            yield LoggedAction(kind, utc(at), fields, bool(shadow))

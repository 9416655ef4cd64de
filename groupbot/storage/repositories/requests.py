"""Approval requests of one community: created, read, decided exactly once, reminded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from groupbot.core.approvals import Status
from groupbot.storage.models import Request, table
from groupbot.storage.unit import UnitOfWork, utc

__all__ = ["RequestRow", "Requests", "all_pending_requests", "request_row"]


@dataclass(frozen=True, slots=True)
class RequestRow:
    """An approval request as read from the database."""

    id: int
    community: str
    member: str
    member_name: str
    origin: str
    channel: str
    message: str | None
    text: str
    rule: str | None
    evidence: str
    status: str
    created_at: datetime
    remind_at: datetime | None
    expire_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    decision_note: str | None


def request_row(row: Any) -> RequestRow:
    """A RequestRow from a selected `requests` row."""
    m = row._mapping
    return RequestRow(
        id=m["id"],
        community=m["community"],
        member=m["member"],
        member_name=m["member_name"],
        origin=m["origin"],
        channel=m["channel"],
        message=m["message"],
        text=m["text"],
        rule=m["rule"],
        evidence=m["evidence"],
        status=m["status"],
        created_at=utc(m["created_at"]),
        remind_at=utc(m["remind_at"]) if m["remind_at"] else None,
        expire_at=utc(m["expire_at"]),
        decided_at=utc(m["decided_at"]) if m["decided_at"] else None,
        decided_by=m["decided_by"],
        decision_note=m["decision_note"],
    )


# The per-request statements, built once: constructing them per call cost more than running them.
_ONE = (Request.community == bindparam("cid")) & (Request.id == bindparam("rid"))
_PENDING_ONE = _ONE & (Request.status == Status.PENDING.value)
_IN_COMMUNITY_PENDING = (Request.community == bindparam("cid")) & (
    Request.status == Status.PENDING.value
)
_GET_REQUEST = select(table(Request)).where(_ONE)
_DECIDE = (
    update(Request)
    .where(_PENDING_ONE)
    .values(
        status=bindparam("new_status"),
        decided_by=bindparam("by_member"),
        decision_note=bindparam("the_note"),
        decided_at=bindparam("when"),
    )
)
_REMINDED = (
    update(Request)
    .where(_PENDING_ONE & Request.remind_at.is_not(None))
    .values(remind_at=None)
    .returning(Request.expire_at)
)
_REMINDED_PLAIN = update(Request).where(_PENDING_ONE).values(remind_at=None)
_QUEUE = (
    select(
        Request.id,
        Request.member_name,
        Request.member,
        Request.channel,
        Request.rule,
        Request.text,
    )
    .where(_IN_COMMUNITY_PENDING)
    .order_by(Request.id)
    .limit(bindparam("limit"))
)
_PENDING = (
    select(table(Request))
    .where(_IN_COMMUNITY_PENDING)
    .order_by(Request.id)
    .limit(bindparam("limit"))
)


class Requests:
    """One community's approval requests; buffered ones are written before any read."""

    def __init__(self, uow: UnitOfWork, community: str) -> None:
        self.uow = uow
        self.community = community
        self._c = uow.connection

    async def create(
        self,
        *,
        member: str,
        member_name: str,
        origin: str,
        channel: str,
        message: str | None,
        text: str,
        rule: str | None,
        evidence: str,
        at: datetime,
        remind_at: datetime | None,
        expire_at: datetime,
        request_id: int | None = None,
    ) -> int:
        """Queue an approval request and return its id (the database's, unless one is given)."""
        row: dict[str, Any] = {
            "community": self.community,
            "member": member,
            "member_name": member_name,
            "origin": origin,
            "channel": channel,
            "message": message,
            "text": text,
            "rule": rule,
            "evidence": evidence,
            "status": Status.PENDING.value,
            "created_at": at,
            "remind_at": remind_at,
            "expire_at": expire_at,
        }
        if request_id is not None:  # a private database: the id is ours to give
            self.uow.buffer(table(Request), {"id": request_id, **row})
            return request_id
        result = await self._c.execute(insert(Request).values(**row).returning(Request.id))
        return int(result.scalar_one())

    async def written(self, request: int | None = None) -> None:
        """Write buffered requests first (only if `request` is among them, when given)."""
        rows = self.uow.buffered(table(Request))
        if rows and (request is None or any(r["id"] == request for r in rows)):
            await self.uow.flush_table(table(Request))
        await self.uow.flush_deferred()

    async def get(self, request: int) -> RequestRow | None:
        """One of this community's requests, or None."""
        await self.written(request)
        row = (await self._c.execute(_GET_REQUEST, {"cid": self.community, "rid": request})).first()
        return request_row(row) if row else None

    async def decide(
        self, request: int, status: Status, by: str | None, note: str | None, at: datetime
    ) -> bool:
        """Move a pending request to its outcome; False if someone decided first."""
        await self.written(request)
        result = await self._c.execute(_DECIDE, self._decision(request, status, by, note, at))
        return bool(getattr(result, "rowcount", 0) == 1)

    def decide_later(
        self, request: int, status: Status, by: str | None, note: str | None, at: datetime
    ) -> None:
        """`decide` for a private database whose caller already knows the request is pending."""
        self.uow.defer(_DECIDE, self._decision(request, status, by, note, at))

    def _decision(
        self, request: int, status: Status, by: str | None, note: str | None, at: datetime
    ) -> dict[str, Any]:
        return {
            "cid": self.community,
            "rid": request,
            "new_status": str(status),
            "by_member": by,
            "the_note": note,
            "when": at,
        }

    def reminded_later(self, request: int) -> None:
        """`mark_reminded` for a private database whose caller knows a reminder is due."""
        self.uow.defer(_REMINDED_PLAIN, {"cid": self.community, "rid": request})

    async def mark_reminded(self, request: int) -> datetime | None:
        """Claim a pending request's reminder; its expiry time, or None if not due one."""
        await self.written(request)
        result = await self._c.execute(_REMINDED, {"cid": self.community, "rid": request})
        expire_at = result.scalar_one_or_none()
        return utc(expire_at) if expire_at is not None else None

    async def pending(self, limit: int = 50) -> list[RequestRow]:
        """This community's pending requests, oldest first."""
        await self.written()
        rows = await self._c.execute(_PENDING, {"cid": self.community, "limit": limit})
        return [request_row(r) for r in rows]

    async def queue_lines(self, limit: int = 50) -> list[tuple[int, str, str, str | None, str]]:
        """(id, who, channel, rule, text) of pending requests, oldest first: the queue listing."""
        await self.written()
        rows = await self._c.execute(_QUEUE, {"cid": self.community, "limit": limit})
        return [(r[0], r[1] or r[2], r[3], r[4], r[5]) for r in rows]

    async def of_member(self, member: str, limit: int = 20) -> list[RequestRow]:
        """A member's own requests, newest first."""
        await self.written()
        rows = await self._c.execute(
            select(table(Request))
            .where(Request.community == self.community, Request.member == member)
            .order_by(Request.id.desc())
            .limit(limit)
        )
        return [request_row(r) for r in rows]


async def all_pending_requests(connection: AsyncConnection) -> list[RequestRow]:
    """Every pending request in the database, to rebuild the timers at start-up."""
    rows = await connection.execute(
        select(table(Request)).where(Request.status == Status.PENDING.value)
    )
    return [request_row(r) for r in rows]

"""Data access bound to one community, with writes buffered per unit of work."""

from __future__ import annotations

import functools
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from groupbot.core.actions import Action
from groupbot.core.state import MemberState
from groupbot.storage.models import (
    AuditEntry,
    Community,
    Member,
    OutboxMessage,
    PendingWelcome,
    PlatformMessage,
    Post,
    ProcessedEvent,
    Request,
    table,
)

__all__ = [
    "MESSAGE_TEXT_FIELDS",
    "CommunityRepository",
    "RequestRow",
    "UnitOfWork",
    "pending_requests",
    "platform_messages",
    "remember_platform_message",
    "utc",
]

# How long event ids are remembered: platforms retry within minutes, so a week is ample.
DEDUPE = timedelta(days=7)

# Action fields that carry (or quote) message text: kept apart so retention can drop them.
MESSAGE_TEXT_FIELDS = frozenset({"text", "reasons", "findings", "reason", "note", "evidence"})


def utc(at: datetime) -> datetime:
    """Aware UTC datetimes everywhere (SQLite hands back naive ones)."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


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


def _request(row: Any) -> RequestRow:
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
_PENDING_ONE = _ONE & (Request.status == "pending")
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
    .where((Request.community == bindparam("cid")) & (Request.status == "pending"))
    .order_by(Request.id)
    .limit(bindparam("limit"))
)
_PENDING = (
    select(table(Request))
    .where((Request.community == bindparam("cid")) & (Request.status == "pending"))
    .order_by(Request.id)
    .limit(bindparam("limit"))
)


# A processed event id or a newcomer already waiting for a welcome is recorded once; writing it
# again (an id reused long after the cache forgot it, a second join) must not fail the batch.
_FACT_TABLES = frozenset({"processed_events", "pending_welcomes"})


class UnitOfWork:
    """One transaction on one connection; small writes are buffered and sent in bulk."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self._rows: dict[Table, list[dict[str, Any]]] = {}
        self._deferred: dict[Any, list[dict[str, Any]]] = {}
        self._members: dict[tuple[str, str], MemberState] = {}
        self.outbox_written = 0

    def buffer(self, table: Table, row: dict[str, Any]) -> None:
        """Queue a row for a bulk insert at the next flush."""
        self._rows.setdefault(table, []).append(row)

    def defer(self, statement: Any, params: dict[str, Any]) -> None:
        """Queue an UPDATE for the next flush (after the inserts it may depend on)."""
        self._deferred.setdefault(statement, []).append(params)

    async def flush_deferred(self) -> None:
        """Run the queued UPDATEs now."""
        # Swapped out before the first await, so rows queued meanwhile wait for the next flush.
        deferred, self._deferred = self._deferred, {}
        for statement, rows in deferred.items():
            if rows:
                await self.connection.execute(statement, rows)

    def buffered(self, target: Table) -> list[dict[str, Any]]:
        """Rows of one table waiting for the next flush."""
        return self._rows.get(target, [])

    async def flush_table(self, target: Table) -> None:
        """Send one table's buffered rows now (before reading or updating that table)."""
        rows = self._rows.pop(target, None)
        if rows:
            await self.connection.execute(self._insert(target), rows)

    def _insert(self, target: Table) -> Any:
        """INSERT, ignoring rows already there for tables whose rows are facts, not news."""
        if target.name not in _FACT_TABLES:
            return insert(target)
        dialect = self.connection.dialect.name
        return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(
            target
        ).on_conflict_do_nothing()

    def member_dirty(self, community: str, state: MemberState) -> None:
        """Queue a member's row for an upsert at the next flush."""
        self._members[(community, state.member)] = state

    async def flush(self) -> None:
        """Send every buffered write, members first."""
        if self._members:
            await self._upsert_members()
        buffered, self._rows = self._rows, {}
        for target, rows in buffered.items():
            if rows:
                await self.connection.execute(self._insert(target), rows)
        await self.flush_deferred()

    async def _upsert_members(self) -> None:
        rows = [
            {
                "community": community,
                "member": s.member,
                "name": s.name,
                "joined_at": s.joined_at,
                "first_seen_at": s.first_seen_at,
                "introduced_at": s.introduced_at,
                "roles": ",".join(sorted(s.roles)),
                "post_count": s.post_count,
                "own_domains": " ".join(sorted(s.own_domains))[:1000],
            }
            for (community, _), s in self._members.items()
        ]
        self._members.clear()
        await self.connection.execute(_member_upsert(self.connection.dialect.name), rows)


@functools.cache
def _member_upsert(dialect: str) -> Any:
    """The members upsert for a dialect (built once: building `excluded` is not cheap)."""
    members = table(Member)
    stmt: Any = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(members)
    keys = ("name", "joined_at", "introduced_at", "roles", "post_count", "own_domains")
    return stmt.on_conflict_do_update(
        index_elements=["community", "member"],
        set_={k: stmt.excluded[k] for k in keys},
    )


class CommunityRepository:
    """Every query here is already scoped to one community."""

    def __init__(self, uow: UnitOfWork, community: str) -> None:
        self.uow = uow
        self.community = community
        self._c = uow.connection

    async def ensure_community(self, at: datetime) -> bool | None:
        """Create the community row if needed; return its shadow-mode override."""
        row = await self._c.execute(
            select(Community.shadow_mode).where(Community.key == self.community)
        )
        found = row.first()
        if found is None:
            await self._c.execute(insert(Community).values(key=self.community, created_at=at))
            return None
        return found[0]

    async def set_shadow_mode(self, on: bool) -> None:
        """Switch shadow mode for this community (overrides the rulebook)."""
        await self._c.execute(
            update(Community).where(Community.key == self.community).values(shadow_mode=on)
        )

    async def seen(self, event_id: str) -> bool:
        """Whether this platform event was already handled."""
        row = await self._c.execute(
            select(ProcessedEvent.event_id).where(
                ProcessedEvent.community == self.community, ProcessedEvent.event_id == event_id
            )
        )
        return row.first() is not None

    def mark_processed(self, event_id: str, at: datetime) -> None:
        """Remember a handled event (written with the decision)."""
        self.uow.buffer(
            table(ProcessedEvent), {"community": self.community, "event_id": event_id, "at": at}
        )

    async def load_member(
        self, member: str, now: datetime, post_window: timedelta, note_window: timedelta
    ) -> MemberState | None:
        """A member's state with their rolling windows, or None if unknown."""
        row = (
            await self._c.execute(
                select(Member).where(Member.community == self.community, Member.member == member)
            )
        ).first()
        if row is None:
            return None
        m = row._mapping
        state = MemberState(
            member=member,
            first_seen_at=utc(m["first_seen_at"]),
            name=m["name"],
            joined_at=utc(m["joined_at"]) if m["joined_at"] else None,
            introduced_at=utc(m["introduced_at"]) if m["introduced_at"] else None,
            roles=frozenset(r for r in m["roles"].split(",") if r),
            post_count=m["post_count"],
            own_domains=set(m["own_domains"].split()),
        )
        posts = await self._c.execute(
            select(Post.at, Post.promotional)
            .where(
                Post.community == self.community,
                Post.member == member,
                Post.at > now - post_window,
            )
            .order_by(Post.at, Post.id)
        )
        for at, promotional in posts:
            state.add_post(utc(at), bool(promotional))
        notes = await self._c.execute(
            select(AuditEntry.at)
            .where(
                AuditEntry.community == self.community,
                AuditEntry.member == member,
                AuditEntry.action == "etiquette_note",
                AuditEntry.at > now - note_window,
            )
            .order_by(AuditEntry.at)
        )
        state.note_times = deque(utc(at) for (at,) in notes)
        held = await self._c.execute(
            select(AuditEntry.message).where(
                AuditEntry.community == self.community,
                AuditEntry.member == member,
                AuditEntry.action == "hold",
            )
        )
        state.held = {m for (m,) in held if m}
        return state

    def save_member(self, state: MemberState) -> None:
        """Write the member's row at the next flush."""
        self.uow.member_dirty(self.community, state)

    def add_post(
        self, member: str, message: str, channel: str, at: datetime, promotional: bool
    ) -> None:
        """Record a post for the rolling windows (no text)."""
        self.uow.buffer(
            table(Post),
            {
                "community": self.community,
                "member": member,
                "message": message,
                "channel": channel,
                "at": at,
                "promotional": promotional,
            },
        )

    def record(self, action: Action, *, shadow: bool = False, deliver: bool = True) -> None:
        """Write an action to the audit log and, when it is owed to someone, to the outbox."""
        f = action.fields()
        detail = {k: v for k, v in f.items() if k not in MESSAGE_TEXT_FIELDS}
        evidence = {k: v for k, v in f.items() if k in MESSAGE_TEXT_FIELDS}
        self.uow.buffer(
            table(AuditEntry),
            {
                "community": self.community,
                "at": action.at,
                "action": action.kind,
                "member": f.get("member"),
                "message": f.get("message"),
                "request": f.get("request"),
                "rule": f.get("rule"),
                "shadow": shadow,
                "detail": orjson.dumps(detail).decode(),
                "evidence": orjson.dumps(evidence).decode() if evidence else None,
            },
        )
        if deliver:
            self.uow.outbox_written += 1
            self.uow.buffer(
                table(OutboxMessage),
                {
                    "community": self.community,
                    "audit_id": None,
                    "action": action.kind,
                    "payload": orjson.dumps(f).decode(),
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": action.at,
                },
            )

    async def create_request(
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
            "status": "pending",
            "created_at": at,
            "remind_at": remind_at,
            "expire_at": expire_at,
        }
        if request_id is not None:  # a private database: the id is ours to give
            self.uow.buffer(table(Request), {"id": request_id, **row})
            return request_id
        result = await self._c.execute(insert(Request).values(**row).returning(Request.id))
        return int(result.scalar_one())

    async def _requests_written(self, request: int | None = None) -> None:
        """Write buffered requests first (only if `request` is among them, when given)."""
        rows = self.uow.buffered(table(Request))
        if rows and (request is None or any(r["id"] == request for r in rows)):
            await self.uow.flush_table(table(Request))
        await self.uow.flush_deferred()

    async def get_request(self, request: int) -> RequestRow | None:
        """One of this community's requests, or None."""
        await self._requests_written(request)
        row = (await self._c.execute(_GET_REQUEST, {"cid": self.community, "rid": request})).first()
        return _request(row) if row else None

    async def decide(
        self, request: int, status: str, by: str | None, note: str | None, at: datetime
    ) -> bool:
        """Move a pending request to its outcome; False if someone decided first."""
        await self._requests_written(request)
        result = await self._c.execute(_DECIDE, self._decision(request, status, by, note, at))
        return bool(getattr(result, "rowcount", 0) == 1)

    def decide_later(
        self, request: int, status: str, by: str | None, note: str | None, at: datetime
    ) -> None:
        """`decide` for a private database whose caller already knows the request is pending."""
        self.uow.defer(_DECIDE, self._decision(request, status, by, note, at))

    def _decision(
        self, request: int, status: str, by: str | None, note: str | None, at: datetime
    ) -> dict[str, Any]:
        return {
            "cid": self.community,
            "rid": request,
            "new_status": status,
            "by_member": by,
            "the_note": note,
            "when": at,
        }

    def reminded_later(self, request: int) -> None:
        """`mark_reminded` for a private database whose caller knows a reminder is due."""
        self.uow.defer(_REMINDED_PLAIN, {"cid": self.community, "rid": request})

    async def mark_reminded(self, request: int) -> datetime | None:
        """Claim a pending request's reminder; its expiry time, or None if not due one."""
        await self._requests_written(request)
        result = await self._c.execute(_REMINDED, {"cid": self.community, "rid": request})
        expire_at = result.scalar_one_or_none()
        return utc(expire_at) if expire_at is not None else None

    async def pending_requests(self, limit: int = 50) -> list[RequestRow]:
        """This community's pending requests, oldest first."""
        await self._requests_written()
        rows = await self._c.execute(_PENDING, {"cid": self.community, "limit": limit})
        return [_request(r) for r in rows]

    async def queue_lines(self, limit: int = 50) -> list[tuple[int, str, str, str | None, str]]:
        """(id, who, channel, rule, text) of pending requests, oldest first: the queue listing."""
        await self._requests_written()
        rows = await self._c.execute(_QUEUE, {"cid": self.community, "limit": limit})
        return [(r[0], r[1] or r[2], r[3], r[4], r[5]) for r in rows]

    async def member_requests(self, member: str, limit: int = 20) -> list[RequestRow]:
        """A member's own requests, newest first."""
        await self._requests_written()
        rows = await self._c.execute(
            select(table(Request))
            .where(Request.community == self.community, Request.member == member)
            .order_by(Request.id.desc())
            .limit(limit)
        )
        return [_request(r) for r in rows]

    def queue_welcome(self, member: str, name: str, due_at: datetime) -> None:
        """Add a newcomer to the next batched channel welcome."""
        self.uow.buffer(
            table(PendingWelcome),
            {"community": self.community, "member": member, "name": name, "due_at": due_at},
        )

    async def take_welcomes(self) -> list[tuple[str, str]]:
        """Remove and return every newcomer waiting for a batched welcome."""
        waiting = table(PendingWelcome)
        rows = await self._c.execute(
            select(waiting.c.member, waiting.c.name)
            .where(waiting.c.community == self.community)
            .order_by(waiting.c.due_at, waiting.c.member)
        )
        found = [(m, n) for m, n in rows]
        await self._c.execute(delete(waiting).where(waiting.c.community == self.community))
        return found

    async def forget(self, member: str) -> int:
        """Delete everything stored about a member; return the number of rows removed."""
        await self._requests_written()
        removed = 0
        for model in (Member, Post, PendingWelcome, Request, AuditEntry):
            t = table(model)
            result = await self._c.execute(
                delete(t).where(t.c.community == self.community, t.c.member == member)
            )
            removed += int(getattr(result, "rowcount", 0) or 0)
        return removed

    async def purge_before(self, horizon: datetime, now: datetime) -> None:
        """Retention: drop message text older than the horizon, and old event ids."""
        await self._requests_written()
        await self._c.execute(
            update(Request)
            .where(
                Request.community == self.community,
                Request.status != "pending",
                Request.decided_at < horizon,
            )
            .values(text="", evidence="")
        )
        await self._c.execute(
            update(AuditEntry)
            .where(
                AuditEntry.community == self.community,
                AuditEntry.at < horizon,
                AuditEntry.evidence.is_not(None),
            )
            .values(evidence=None)
        )
        await self._c.execute(
            delete(ProcessedEvent).where(
                ProcessedEvent.community == self.community, ProcessedEvent.at < now - DEDUPE
            )
        )

    async def stats(self) -> dict[str, Any]:
        """The community's health: newcomers, intro rate, notes, promotion share, turnaround."""
        await self._requests_written()
        c = self._c
        newcomers = await c.scalar(
            select(func.count())
            .select_from(Member)
            .where(Member.community == self.community, Member.joined_at.is_not(None))
        )
        introduced = await c.scalar(
            select(func.count())
            .select_from(Member)
            .where(
                Member.community == self.community,
                Member.joined_at.is_not(None),
                Member.introduced_at.is_not(None),
            )
        )
        posts = await c.scalar(
            select(func.count()).select_from(Post).where(Post.community == self.community)
        )
        promo = await c.scalar(
            select(func.count())
            .select_from(Post)
            .where(Post.community == self.community, Post.promotional.is_(True))
        )
        counts = dict(
            (
                await c.execute(
                    select(AuditEntry.action, func.count())
                    .where(AuditEntry.community == self.community)
                    .group_by(AuditEntry.action)
                )
            ).all()
        )
        decided = await c.execute(
            select(Request.created_at, Request.decided_at).where(
                Request.community == self.community,
                Request.status.in_(("approved", "denied")),
            )
        )
        waits = sorted(
            (utc(d) - utc(cr)).total_seconds() / 3600 for cr, d in decided if d is not None
        )
        statuses = dict(
            (
                await c.execute(
                    select(Request.status, func.count())
                    .where(Request.community == self.community)
                    .group_by(Request.status)
                )
            ).all()
        )
        return {
            "newcomers": int(newcomers or 0),
            "introduced": int(introduced or 0),
            "intro_rate": round(int(introduced or 0) / newcomers, 3) if newcomers else None,
            "posts": int(posts or 0),
            "promotional_posts": int(promo or 0),
            "promotional_share": round(int(promo or 0) / posts, 3) if posts else None,
            "welcomes_sent": int(counts.get("welcome", 0)),
            "notes_sent": int(counts.get("etiquette_note", 0)),
            "holds": int(counts.get("hold", 0)),
            "requests": {str(k): int(v) for k, v in statuses.items()},
            "median_turnaround_hours": round(waits[len(waits) // 2], 2) if waits else None,
        }


async def pending_requests(connection: AsyncConnection) -> list[RequestRow]:
    """Every pending request in the database, to rebuild the timers at start-up."""
    rows = await connection.execute(select(table(Request)).where(Request.status == "pending"))
    return [_request(r) for r in rows]


async def remember_platform_message(
    engine: AsyncEngine, community: str, request: int, channel: str, ref: str, at: datetime
) -> None:
    """Record a message the bot posted about a request (e.g. an owner notification)."""
    async with engine.begin() as conn:
        await conn.execute(
            insert(PlatformMessage).values(
                community=community, request=request, channel=channel, ref=ref, created_at=at
            )
        )


async def platform_messages(
    engine: AsyncEngine, community: str, request: int
) -> list[tuple[str, str]]:
    """(channel, ref) of every message the bot posted about a request."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(PlatformMessage.channel, PlatformMessage.ref)
            .where(PlatformMessage.community == community, PlatformMessage.request == request)
            .order_by(PlatformMessage.id)
        )
        return [(channel, ref) for channel, ref in rows]

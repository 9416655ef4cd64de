"""The transactional outbox: owed messages delivered with retry and backoff."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from prometheus_client import Counter, Histogram
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    case,
    cast,
    delete,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from groupbot.core.actions import KINDS, Action, DeliveryGivenUp
from groupbot.core.delivery import deliver
from groupbot.core.ports import DeliveryError, Platform
from groupbot.storage.models import AuditEntry, OutboxMessage, table
from groupbot.storage.repositories.audit import MESSAGE_TEXT_FIELDS
from groupbot.storage.unit import utc

__all__ = [
    "DELIVERED",
    "DELIVERY_FAILURES",
    "LEASE",
    "MAX_ATTEMPTS",
    "GiveUpNotice",
    "OutboxWorker",
    "RetryPolicy",
    "outbox_rows",
    "owed_action",
    "retry_failed_rows",
    "shard_scope",
]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
BASE_DELAY = timedelta(seconds=2)
MAX_DELAY = timedelta(minutes=10)
# How long a claimed row is this worker's alone; a worker killed mid-round leaves its rows
# to the others after this (only the one it was sending can go out twice). Short, so a
# killed replica's messages are late by seconds, not minutes; renewed while a round runs.
LEASE = timedelta(seconds=30)
RENEW_SECONDS = LEASE.total_seconds() / 3

DELIVERED = Histogram(
    "groupbot_outbox_delivery_seconds",
    "From when a message was owed to when the platform took it.",
    ["action"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800),
)
DELIVERY_FAILURES = Counter(
    "groupbot_outbox_failures_total",
    "Deliveries the platform refused: rate_limited (429), retry (5xx, network), final (not"
    " retryable) or given_up (out of attempts).",
    ["action", "reason"],
)


def owed_action(kind: str, community: str, at: datetime, payload: str) -> Action:
    """The typed action an outbox row holds; an unknown kind cannot be delivered."""
    cls = KINDS.get(kind)
    if cls is None:
        raise DeliveryError(f"no delivery for action {kind!r}", retry=False)
    return cls.from_fields(utc(at), community, orjson.loads(payload))


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a refused delivery is tried again before it is given up."""

    attempts: int = MAX_ATTEMPTS
    base: timedelta = BASE_DELAY
    cap: timedelta = MAX_DELAY
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("outbox attempts must be at least 1")
        if self.base <= timedelta(0):
            raise ValueError("outbox backoff must be more than 0 seconds")

    def delay(self, attempts: int, retry_after: float | None) -> timedelta:
        """The wait before try `attempts + 1`: between half and all of an exponential ceiling."""
        return _backoff(attempts, retry_after, self)


def _backoff(attempts: int, retry_after: float | None, policy: RetryPolicy) -> timedelta:
    # Equal jitter (uniform in the upper half below the doubling ceiling) spreads the replicas'
    # retries apart while the waits still add up: a give-up comes after a bounded time, not
    # after a few near-zero waits. A 429's Retry-After is the platform's own word, so jitter
    # may lengthen it, never shorten it.
    doubled = policy.base.total_seconds() * 2.0 ** min(max(0, attempts - 1), 64)
    ceiling = min(policy.cap.total_seconds(), doubled)
    jittered = timedelta(seconds=ceiling * (0.5 + 0.5 * policy.rng.random()))
    if retry_after is None:
        return jittered
    return max(timedelta(seconds=max(0.0, retry_after)), jittered)


# The owners' notice for a row given up: (community, action, row id, attempts, when) -> notice.
GiveUpNotice = Callable[[str, str, int, int, datetime], DeliveryGivenUp]


class OutboxWorker:
    """Claims due outbox rows, delivers them, and records the outcome."""

    def __init__(
        self,
        engine: AsyncEngine,
        platform: Platform,
        batch: int = 200,
        scope: ColumnElement[bool] | None = None,
        *,
        settle_each: bool = True,
        retry: RetryPolicy | None = None,
        on_give_up: GiveUpNotice | None = None,
    ) -> None:
        self.engine = engine
        self.platform = platform
        self.batch = batch
        self.scope = scope  # e.g. only the communities this process serves (Discord shards)
        # Settling each row as soon as it is sent means a killed worker re-sends at most the
        # one in flight. A private database (replay, backtest) has no one to re-send to, so
        # its rows are settled once per round instead: one statement, not one per message.
        self.settle_each = settle_each
        self.retry = retry or RetryPolicy()
        self.on_give_up = on_give_up  # None: no owner notice (replay, backtest, tests)
        self.worker_id = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        # Communities the platform rate-limited, until when: their rows claimed in a later
        # round (past the batch, or owed since) wait too instead of earning more 429s.
        self._limited: dict[str, datetime] = {}

    async def drain(self, now: datetime | None = None) -> int:
        """Deliver every due row; return how many were delivered."""
        delivered = 0
        while True:
            count, more = await self._round(now or datetime.now(UTC))
            delivered += count
            if not more:
                return delivered

    async def _deliver_in_order(self, rows: list[Any], now: datetime) -> int:
        """Deliver one community's rows in order, settling each as soon as it is tried."""
        sent: list[int] = []
        started = time.monotonic()
        for index, row in enumerate(rows):
            try:
                action = owed_action(row.action, row.community, row.next_attempt_at, row.payload)
                await deliver(self.platform, action)
            except Exception as exc:  # one row's failure must not undo the others' deliveries
                if not isinstance(exc, DeliveryError):
                    log.exception("outbox %s %s: unexpected failure", row.id, row.action)
                    exc = DeliveryError(f"{type(exc).__name__}: {exc}")
                # Measured from when it failed, not when the round began: a Retry-After holds.
                failed_at = now + timedelta(seconds=time.monotonic() - started)
                again = await self._failed(row, exc, failed_at)
                if exc.retry_after is not None:
                    # Rate limited: the platform would refuse the rest of this community too.
                    self._limited[row.community] = again
                    await self._hold_back(rows[index + 1 :], again)
                    break
                continue
            sent.append(row.id)
            owed = (datetime.now(UTC) - utc(row.next_attempt_at)).total_seconds()
            DELIVERED.labels(action=row.action).observe(max(0.0, owed))
            if self.settle_each:
                await self._sent([row.id])
        if sent and not self.settle_each:
            await self._sent(sent)
        return len(sent)

    async def _hold_back(self, rows: list[Any], until: datetime) -> None:
        """Untried rows wait with the rate-limited one, in their order, their attempts intact."""
        if not rows:
            return
        outbox = table(OutboxMessage)
        async with self.engine.begin() as conn:
            await conn.execute(
                update(outbox)
                .where(outbox.c.id.in_([row.id for row in rows]))
                .values(
                    next_attempt_at=case(
                        (outbox.c.next_attempt_at > until, outbox.c.next_attempt_at),
                        else_=until,
                    ),
                    claimed_by=None,
                    claimed_until=None,
                )
            )

    async def _sent(self, ids: list[int]) -> None:
        """Delivered: the audit log keeps the record, the queue lets go of it at once."""
        outbox = table(OutboxMessage)
        async with self.engine.begin() as conn:
            await conn.execute(delete(outbox).where(outbox.c.id.in_(ids)))

    async def _failed(self, row: Any, exc: DeliveryError, now: datetime) -> datetime:
        """Not delivered: try again later, or give up; when a retry would be due."""
        outbox = table(OutboxMessage)
        attempts = row.attempts + 1
        exhausted = exc.retry and attempts >= self.retry.attempts
        give_up = not exc.retry or exhausted
        reason = (
            "given_up"
            if exhausted
            else "rate_limited"
            if exc.retry_after is not None
            else "retry"
            if exc.retry
            else "final"
        )
        DELIVERY_FAILURES.labels(action=row.action, reason=reason).inc()
        again = now + self.retry.delay(attempts, exc.retry_after)
        # Names the row, never its text: `groupbot outbox list --failed` shows it to owners.
        log.log(
            logging.ERROR if exhausted else logging.WARNING,
            "outbox %s %s for %s %s after %s attempts: %s",
            row.id,
            row.action,
            row.community,
            "given up" if exhausted else "failed",
            attempts,
            exc,
        )
        async with self.engine.begin() as conn:
            await conn.execute(
                update(outbox)
                .where(outbox.c.id == row.id)
                .values(
                    attempts=attempts,
                    last_error=str(exc)[:500],
                    status="failed" if give_up else "pending",
                    next_attempt_at=again,
                    claimed_by=None,
                    claimed_until=None,
                )
            )
            if exhausted and self.on_give_up is not None and row.action != DeliveryGivenUp.KIND:
                notice = self.on_give_up(row.community, row.action, row.id, attempts, now)
                await _tell_owners(conn, notice)
        return again

    async def _claim(self, now: datetime) -> list[Any]:
        """Lease due rows to this worker in one short transaction; others skip them."""
        outbox = table(OutboxMessage)
        due = (
            select(outbox.c.id)
            .where(
                outbox.c.status == "pending",
                outbox.c.next_attempt_at <= now,
                or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < now),
            )
            .order_by(outbox.c.id)
            .limit(self.batch)
        )
        if self.scope is not None:
            due = due.where(self.scope)
        async with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            claimed = await conn.execute(
                update(outbox)
                .where(outbox.c.id.in_(due.scalar_subquery()))
                .values(claimed_by=self.worker_id, claimed_until=now + LEASE)
                .returning(
                    outbox.c.id,
                    outbox.c.community,
                    outbox.c.action,
                    outbox.c.payload,
                    outbox.c.attempts,
                    outbox.c.next_attempt_at,
                )
            )
            return sorted(claimed.all(), key=lambda row: row.id)

    async def _round(self, now: datetime) -> tuple[int, bool]:
        rows = await self._claim(now)
        # Communities are delivered side by side; within one, rows keep their order.
        by_community: dict[str, list[Any]] = {}
        for row in rows:
            by_community.setdefault(row.community, []).append(row)
        renewing = asyncio.create_task(self._renew()) if rows else None
        for community, until in list(self._limited.items()):
            if until <= now:
                del self._limited[community]
            elif (held := by_community.pop(community, None)) is not None:
                await self._hold_back(held, until)
        try:
            sent = await asyncio.gather(
                *(self._deliver_in_order(group, now) for group in by_community.values())
            )
        finally:
            if renewing is not None:
                renewing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewing
        return sum(sent), len(rows) == self.batch

    async def _renew(self) -> None:
        """Extend this worker's lease while its round runs: a slow round keeps its rows."""
        outbox = table(OutboxMessage)
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            try:
                async with self.engine.begin() as conn:
                    await conn.execute(
                        update(outbox)
                        .where(outbox.c.claimed_by == self.worker_id)
                        .values(claimed_until=datetime.now(UTC) + LEASE)
                    )
            except Exception as exc:  # the database away: the round's own writes fail too
                log.warning("outbox lease not renewed: %s", type(exc).__name__)


async def _tell_owners(conn: AsyncConnection, notice: DeliveryGivenUp) -> None:
    """Owe the owners a notice, unless one for this community is still waiting to go out."""
    outbox = table(OutboxMessage)
    waiting = await conn.scalar(
        select(outbox.c.id)
        .where(
            outbox.c.community == notice.community,
            outbox.c.action == notice.kind,
            outbox.c.status == "pending",
        )
        .limit(1)
    )
    if waiting is not None:
        return  # an outage gives many rows up at once: the owners hear of it once
    fields = notice.fields()
    detail = {k: v for k, v in fields.items() if k not in MESSAGE_TEXT_FIELDS}
    await conn.execute(
        insert(table(AuditEntry)).values(
            community=notice.community,
            at=notice.at,
            action=notice.kind,
            shadow=False,
            detail=orjson.dumps(detail).decode(),
        )
    )
    await conn.execute(
        insert(outbox).values(
            community=notice.community,
            action=notice.kind,
            payload=orjson.dumps(fields).decode(),
            status="pending",
            attempts=0,
            next_attempt_at=notice.at,
        )
    )


def shard_scope(
    dialect: str, shard_count: int | None, shard_ids: list[int] | None
) -> ColumnElement[bool] | None:
    """Outbox rows of the communities one shard set serves (Discord: (guild_id >> 22) % count)."""
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


async def outbox_rows(
    engine: AsyncEngine, community: str | None = None, *, failed_only: bool = False
) -> list[Any]:
    """The outbox's rows, oldest first, without their payloads (message texts stay private)."""
    outbox = table(OutboxMessage)
    query = select(
        outbox.c.id,
        outbox.c.community,
        outbox.c.action,
        outbox.c.status,
        outbox.c.attempts,
        outbox.c.next_attempt_at,
        outbox.c.last_error,
    ).order_by(outbox.c.id)
    if community is not None:
        query = query.where(outbox.c.community == community)
    if failed_only:
        query = query.where(outbox.c.status == "failed")
    async with engine.connect() as conn:
        return list((await conn.execute(query)).all())


async def retry_failed_rows(engine: AsyncEngine, ids: list[int], now: datetime) -> int:
    """Failed rows (these, or all) back to pending with fresh attempts; all or none.

    Raises LookupError naming an id that is not in the outbox or not failed.
    """
    outbox = table(OutboxMessage)
    async with engine.begin() as conn:
        if ids:
            found = dict(
                (
                    await conn.execute(
                        select(outbox.c.id, outbox.c.status).where(outbox.c.id.in_(ids))
                    )
                ).all()
            )
            for wanted in ids:
                if wanted not in found:
                    raise LookupError(f"no outbox row {wanted}")
                if found[wanted] != "failed":
                    raise LookupError(f"outbox row {wanted} is {found[wanted]}, not failed")
        query = update(outbox).where(outbox.c.status == "failed")
        if ids:
            query = query.where(outbox.c.id.in_(ids))
        done = await conn.execute(
            query.values(
                status="pending",
                attempts=0,
                next_attempt_at=now,
                claimed_by=None,
                claimed_until=None,
            )
        )
        return int(done.rowcount or 0)

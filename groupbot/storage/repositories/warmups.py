"""One history read (a community's at install, or one channel's): a row leased to one replica."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from groupbot.storage.models import HistoryWarmup, table
from groupbot.storage.unit import utc

__all__ = ["DONE", "RUNNING", "HistoryWarmups"]

RUNNING = "running"
DONE = "done"
# The first half of the advisory lock key that serialises one community's claims (the second
# half is the community's hash): a space of two-int keys, apart from the retention sweep's bigint.
_CLAIMS_LOCK = 0x68697374  # "hist"


class HistoryWarmups:
    """The claim row of one history read: the community's own (channel ""), or one channel's."""

    def __init__(self, connection: AsyncConnection, community: str, channel: str = "") -> None:
        self._c = connection
        self.community = community
        self.channel = channel

    async def serialise(self) -> None:
        """Make this transaction's claims on the community's reads wait for another's to end.

        PostgreSQL: a transaction-level advisory lock on the community. SQLite has one writer at
        a time; a claim that writes before it reads needs nothing more.
        """
        if self._c.dialect.name == "postgresql":
            key = func.hashtext(self.community)
            await self._c.execute(select(func.pg_advisory_xact_lock(_CLAIMS_LOCK, key)))

    def _mine(self) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
        return HistoryWarmup.community == self.community, HistoryWarmup.channel == self.channel

    async def claim(self, me: str, now: datetime, lease: timedelta) -> tuple[str, datetime] | None:
        """Take the read (new, or its lease run out): (cursor, started at), None if done or held.

        A resumed read keeps its first start: what came later reached the bot as live events.
        """
        insert = postgresql.insert if self._c.dialect.name == "postgresql" else sqlite.insert
        await self._c.execute(
            insert(table(HistoryWarmup))
            .values(
                community=self.community,
                channel=self.channel,
                status=RUNNING,
                claimed_by=None,
                lease_until=None,
                cursor="",
                messages=0,
                started_at=now,
            )
            .on_conflict_do_nothing()
        )
        w = HistoryWarmup
        row = (
            await self._c.execute(
                update(w)
                .where(
                    *self._mine(),
                    w.status == RUNNING,
                    or_(w.claimed_by.is_(None), w.claimed_by == me, w.lease_until < now),
                )
                .values(claimed_by=me, lease_until=now + lease)
                .returning(w.cursor, w.started_at)
            )
        ).first()
        return None if row is None else (str(row[0]), utc(row[1]))

    async def advance(
        self, me: str, cursor: str, messages: int, now: datetime, lease: timedelta
    ) -> bool:
        """Record progress and renew the lease; False if another replica took the read over."""
        w = HistoryWarmup
        result = await self._c.execute(
            update(w)
            .where(*self._mine(), w.status == RUNNING, w.claimed_by == me)
            .values(cursor=cursor, messages=w.messages + messages, lease_until=now + lease)
            .returning(w.community)
        )
        return result.first() is not None

    async def finish(self, me: str, now: datetime, cursor: str) -> bool:
        """Mark the read done (never again), where it ended; False if no longer ours."""
        w = HistoryWarmup
        result = await self._c.execute(
            update(w)
            .where(*self._mine(), w.status == RUNNING, w.claimed_by == me)
            .values(status=DONE, cursor=cursor, finished_at=now, claimed_by=None, lease_until=None)
            .returning(w.community)
        )
        return result.first() is not None

    async def held_until(self, now: datetime) -> datetime | None:
        """Until when another replica's lease holds the unfinished read (None: free or done)."""
        w = HistoryWarmup
        until = await self._c.scalar(
            select(w.lease_until).where(*self._mine(), w.status == RUNNING, w.lease_until >= now)
        )
        return None if until is None else utc(until)

    async def status(self) -> tuple[str, int] | None:
        """(status, messages read) of the read, or None if never started."""
        w = HistoryWarmup
        row = (await self._c.execute(select(w.status, w.messages).where(*self._mine()))).first()
        return None if row is None else (str(row[0]), int(row[1]))

    async def cursor(self) -> str:
        """How far the read got, as last stored ("" if never started)."""
        return str(await self._c.scalar(select(HistoryWarmup.cursor).where(*self._mine())) or "")

    async def channel_reads(self, *statuses: str) -> list[str]:
        """The channels of the community whose own read has one of these statuses."""
        w = HistoryWarmup
        rows = await self._c.scalars(
            select(w.channel)
            .where(w.community == self.community, w.channel != "", w.status.in_(statuses))
            .order_by(w.channel)
        )
        return list(rows)

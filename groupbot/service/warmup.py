"""The install-time history warm-up: regulars known on day one, nothing sent for it."""

from __future__ import annotations

import enum
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

from groupbot.core.context import ConversationTracker
from groupbot.core.events import MessagePosted
from groupbot.core.history import HistoryBounds, PastMessage, bounds
from groupbot.service.bot import Bot
from groupbot.storage.repositories import CommunityRepositories
from groupbot.storage.repositories.warmups import HistoryWarmups

__all__ = ["LEASE", "HistoryReader", "Outcome", "Warmup"]

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)  # a replica that stops renewing loses the read after this
BATCH = 200  # past messages stored per transaction (and per progress mark)

# Reads a community's past within the bounds, resuming after the stored cursor ("" = start).
HistoryReader = Callable[[HistoryBounds, str], AsyncIterator[PastMessage]]


class Outcome(enum.StrEnum):
    """How one warm-up call ended."""

    DONE = "done"  # read to the end by this call
    SKIPPED = "skipped"  # done before, held by another replica, or turned off
    LOST = "lost"  # another replica took the read over (this one's lease ran out)


def _now() -> datetime:
    return datetime.now(UTC)


def replica_id() -> str:
    """This process, as a claim names it."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Warmup:
    """Reads a community's recent history once, across replicas, into its members' history."""

    def __init__(
        self,
        bot: Bot,
        *,
        replica: str | None = None,
        lease: timedelta = LEASE,
        batch: int = BATCH,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.bot = bot
        self.replica = replica or replica_id()
        self.lease = lease
        self.batch = max(1, batch)
        self.clock = clock

    async def run(self, community: str, read: HistoryReader) -> Outcome:
        """Claim the community's read, feed what `read` yields to the bot, mark it done."""
        now = self.clock()
        async with self.bot.db.begin() as conn:
            claim = await HistoryWarmups(conn, community).claim(self.replica, now, self.lease)
        if claim is None:
            return Outcome.SKIPPED
        cursor, started = claim
        rulebook = await self.bot.settings_of(community, now)
        if not rulebook.history.enabled:
            return Outcome.SKIPPED if await self._finish(community) else Outcome.LOST
        tracker = ConversationTracker()
        batch: list[MessagePosted] = []
        last = cursor
        async for past in read(bounds(rulebook, started), cursor):
            batch.append(past.post)
            last = past.cursor
            if len(batch) >= self.batch:
                if not await self._store(community, batch, last, tracker):
                    return Outcome.LOST
                batch = []
        if batch and not await self._store(community, batch, last, tracker):
            return Outcome.LOST
        if not await self._finish(community):
            return Outcome.LOST
        log.info("history warm-up of %s done", community)
        return Outcome.DONE

    async def _store(
        self, community: str, posts: list[MessagePosted], cursor: str, tracker: ConversationTracker
    ) -> bool:
        now = self.clock()

        async def keep(repo: CommunityRepositories) -> bool:
            claims = HistoryWarmups(repo.uow.connection, community)
            return await claims.advance(self.replica, cursor, len(posts), now, self.lease)

        return await self.bot.learn(community, posts, tracker, keep, now)

    async def _finish(self, community: str) -> bool:
        async with self.bot.db.begin() as conn:
            return await HistoryWarmups(conn, community).finish(self.replica, self.clock())

    async def needed(self, community: str) -> bool:
        """Whether the community's read was never finished (a start-up check)."""
        async with self.bot.db.connect() as conn:
            status = await HistoryWarmups(conn, community).status()
        return status is None or status[0] != "done"

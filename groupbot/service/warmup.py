"""The history warm-up (at install, and of each channel joined later): nothing sent for it."""

from __future__ import annotations

import asyncio
import enum
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

from groupbot.core.context import ConversationTracker
from groupbot.core.events import MessagePosted
from groupbot.core.history import HistoryBounds, PastMessage, Progress, bounds
from groupbot.core.rulebook import Rulebook
from groupbot.service.bot import Bot
from groupbot.storage.repositories.warmups import DONE, RUNNING, HistoryWarmups
from groupbot.storage.unit import utc

__all__ = ["LEASE", "Background", "HistoryReader", "Outcome", "Warmup"]

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)  # a replica that stops renewing loses the read after this
BATCH = 200  # past messages stored per transaction (and per progress mark)

# Reads a community's past within the bounds, resuming after the stored cursor ("" = start).
HistoryReader = Callable[[HistoryBounds, str], AsyncIterator[PastMessage]]


class Outcome(enum.StrEnum):
    """How one warm-up call ended."""

    DONE = "done"  # read to the end by this call
    SKIPPED = "skipped"  # done before, or turned off
    HELD = "held"  # another replica holds the read's lease: it resumes once the lease runs out
    LOST = "lost"  # another replica took the read over (this one's lease ran out)


def _now() -> datetime:
    return datetime.now(UTC)


def replica_id() -> str:
    """This process, as a claim names it."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class _CommunityReadRunning(Exception):
    """A channel's claim met the community's own read running: the claim is rolled back."""


class Warmup:
    """Reads recent history once, across replicas, into members' history.

    A community's own read (`channel` "") reads the channels the bot is in at install; a
    channel's read, the channel the bot joined later, unless the community's read had it.
    """

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

    async def run(self, community: str, read: HistoryReader, channel: str = "") -> Outcome:
        """Claim the read, feed what `read` yields to the bot, mark it done."""
        now = self.clock()
        try:
            claim = await self._claim(community, channel, now)
        except _CommunityReadRunning:
            return Outcome.HELD  # it may read this channel: wait for it to end
        if claim is None:
            held = await self.held_until(community, channel)
            return Outcome.HELD if held else Outcome.SKIPPED
        cursor, started = claim
        rulebook = await self._settings(community, now)
        if not await self._wanted(rulebook, community, channel):
            done = await self._finish(community, channel, cursor)
            return Outcome.SKIPPED if done else Outcome.LOST
        tracker = ConversationTracker()
        batch: list[MessagePosted] = []
        last = cursor
        async for past in read(bounds(rulebook, started), cursor):
            last = past.cursor
            if past.post is None:  # progress only: stored with the next batch, or at the end
                continue
            batch.append(past.post)
            if len(batch) >= self.batch:
                if not await self._store(community, channel, batch, last, tracker):
                    return Outcome.LOST
                batch = []
        if batch and not await self._store(community, channel, batch, last, tracker):
            return Outcome.LOST
        if not await self._finish(community, channel, last):
            return Outcome.LOST
        log.info("history warm-up of %s done", f"{community} {channel}".strip())
        return Outcome.DONE

    async def _wanted(self, rulebook: Rulebook, community: str, channel: str) -> bool:
        """History on, and a channel not read to its end by the community's own read already."""
        if not rulebook.history.enabled:
            return False
        if not channel:
            return True
        async with self.bot.db.connect() as conn:
            cursor = await HistoryWarmups(conn, community).cursor()
        return channel not in Progress.decode(cursor).done

    async def _claim(
        self, community: str, channel: str, now: datetime
    ) -> tuple[str, datetime] | None:
        """Take the read: (cursor, started at), or None when it is done or held elsewhere.

        The community's read and its channels' reads are claimed one at a time, each seeing
        the others' claims: a channel's read waits while the community's read runs (it may read
        the channel), and the community's read skips every channel with a read of its own, so
        no channel is read twice at once, on any replica.
        """
        async with self.bot.db.begin() as conn:
            claims = HistoryWarmups(conn, community, channel)
            await claims.serialise()
            claim = await claims.claim(self.replica, now, self.lease)  # a write, then the reads
            if claim is None:
                return None
            community_read = HistoryWarmups(conn, community)
            if channel:
                if await community_read.held_until(now) is not None:
                    raise _CommunityReadRunning  # rolls the claim back
                return claim
            own = await community_read.channel_reads(RUNNING, DONE)
        cursor, started = claim
        return (Progress.decode(cursor).with_done(own).encode() if own else cursor), started

    async def _store(
        self,
        community: str,
        channel: str,
        posts: list[MessagePosted],
        cursor: str,
        tracker: ConversationTracker,
    ) -> bool:
        """Count a batch in its members' history, with the progress, in one transaction."""
        now, bot = self.clock(), self.bot
        async with bot.alone(now):
            repo = await bot.repository(community)
            claims = HistoryWarmups(repo.uow.connection, community, channel)
            if not await claims.advance(self.replica, cursor, len(posts), now, self.lease):
                return False  # another replica took the read over: write nothing
            # Posted after the bot arrived but before the read began: counted live already.
            live = await repo.posts.known([post.message for post in posts])
            for post in (p for p in posts if p.message not in live):
                at = utc(post.at)
                state = await bot.members.get(repo, post.member, at, post.name)
                state.name = state.name or post.name
                conversation = tracker.place(post)
                analysis = bot.engine.learn(
                    state, channel=post.channel, text=post.text, at=at, conversation=conversation
                )
                repo.members.save(state)
                promo = analysis.promotional and not bot.engine.channel_facts(post.channel)[1]
                repo.posts.add(post.member, post.message, post.channel, at, promo)
        # Past posts come out of time order: these members are read back from the database.
        bot.members.all_known = False
        for post in posts:
            bot.members.forget(community, post.member)
        return True

    async def _settings(self, community: str, now: datetime) -> Rulebook:
        async with self.bot.alone(now):
            await self.bot.repository(community)
            return self.bot.communities.rulebook_of(community)

    async def _finish(self, community: str, channel: str, cursor: str) -> bool:
        async with self.bot.db.begin() as conn:
            claims = HistoryWarmups(conn, community, channel)
            return await claims.finish(self.replica, self.clock(), cursor)

    async def held_until(self, community: str, channel: str = "") -> datetime | None:
        """Until when another replica holds this unfinished read, if one does.

        A channel's read is also held while the community's own read runs.
        """
        now = self.clock()
        async with self.bot.db.connect() as conn:
            until = await HistoryWarmups(conn, community, channel).held_until(now)
            if until is None and channel:
                until = await HistoryWarmups(conn, community).held_until(now)
        return until

    async def needed(self, community: str) -> bool:
        """Whether the community's read was never finished (a start-up check)."""
        async with self.bot.db.connect() as conn:
            status = await HistoryWarmups(conn, community).status()
        return status is None or status[0] != "done"

    async def unfinished_channels(self, community: str) -> list[str]:
        """The channels whose read began and never finished (a start-up resumes them)."""
        async with self.bot.db.connect() as conn:
            return await HistoryWarmups(conn, community).channel_reads(RUNNING)


class Background:
    """Warm-ups beside the live bot: one task per read, started without waiting for it."""

    def __init__(
        self, warmup: Warmup, pause: Callable[[float], Awaitable[None]] = asyncio.sleep
    ) -> None:
        self.warmup = warmup
        self.pause = pause  # waits out another replica's lease (a crashed one's, say)
        self._tasks: dict[tuple[str, str], asyncio.Task[Outcome | None]] = {}
        self._helpers: set[asyncio.Task[None]] = set()  # finding what to warm up (start-up)

    def start(
        self, community: str, read: HistoryReader, channel: str = ""
    ) -> asyncio.Task[Outcome | None]:
        """Run a read in the background (a second call while it runs joins it).

        A channel's read starts once the community's own read here has ended: it may read it.
        """
        task = self._tasks.get((community, channel))
        if task is None or task.done():
            first = self._tasks.get((community, "")) if channel else None
            task = asyncio.create_task(
                self._run(community, read, channel, first),
                name=f"groupbot-history-{community}{'-' if channel else ''}{channel}",
            )
            self._tasks[(community, channel)] = task
        return task

    def spawn(self, finding: Coroutine[Any, Any, None]) -> None:
        """Run work that finds communities to warm up (and starts them) in the background."""
        task = asyncio.create_task(finding, name="groupbot-history-start")
        self._helpers.add(task)
        task.add_done_callback(self._helpers.discard)

    async def _run(
        self,
        community: str,
        read: HistoryReader,
        channel: str,
        first: asyncio.Task[Outcome | None] | None,
    ) -> Outcome | None:
        if first is not None:
            await asyncio.wait([first])
        try:
            while (outcome := await self.warmup.run(community, read, channel)) is Outcome.HELD:
                until = await self.warmup.held_until(community, channel)
                if until is not None:  # that replica may be gone: try again when its lease ends
                    await self.pause((until - self.warmup.clock()).total_seconds() + 1.0)
            return outcome
        except Exception:  # the claim stays: the next start (or replica) resumes it
            where = f"{community} {channel}".strip()
            log.warning("history warm-up of %s stopped; it resumes later", where, exc_info=True)
            return None

    def _running(self) -> list[asyncio.Task[Any]]:
        return [t for t in (*self._helpers, *self._tasks.values()) if not t.done()]

    async def idle(self) -> None:
        """Wait for every warm-up started so far, and those the start-up work starts."""
        while running := self._running():
            await asyncio.gather(*running)

    async def close(self) -> None:
        """Stop the warm-ups still running (their progress is stored)."""
        running = self._running()
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        self._tasks.clear()

"""The Bot: events in exactly once, in order, in transactions; the collaborators do the rest."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.core.actions import Action, Introduced
from groupbot.core.context import ConversationTracker
from groupbot.core.engine import Engine
from groupbot.core.events import CommandIssued, Event, MemberJoined, MessageEdited, MessagePosted
from groupbot.core.owners import role_names
from groupbot.core.rulebook import Rulebook
from groupbot.service.approvals import ApprovalDesk
from groupbot.service.batch import Entry
from groupbot.service.coaching import Coach
from groupbot.service.commands import CommandHandler
from groupbot.service.commands.answers import Answers
from groupbot.service.commands.community import CommunityCommands
from groupbot.service.commands.config import ConfigCommands
from groupbot.service.commands.requests import RequestCommands
from groupbot.service.communities import Communities, HasRulebook
from groupbot.service.exclusive import Exclusive
from groupbot.service.failures import DeadLetters
from groupbot.service.members import Members
from groupbot.service.recorder import Recorder, Sink
from groupbot.service.retention import sweep
from groupbot.service.seen import UNKNOWN, SeenEvents
from groupbot.service.timers import Timer, TimerKind, TimerQueue
from groupbot.service.transactions import Transactions
from groupbot.service.welcomes import Welcomer
from groupbot.storage.faults import unreachable
from groupbot.storage.models import Member, PendingWelcome, ProcessedEvent, Request
from groupbot.storage.repositories import CommunityRepositories, all_pending_requests
from groupbot.storage.unit import utc

__all__ = ["LIVE_BATCH", "Bot", "Sink"]

log = logging.getLogger(__name__)

LIVE_BATCH = 64  # most events a live bot's group commit puts in one transaction
CLOSE_WAIT_SECONDS = 30.0  # how long close() waits for the event in hand before giving up
# How long an event waits for the group commit before it commits itself (its committer left).
COMMIT_WAIT_SECONDS = 1.0
RETENTION_EVERY = timedelta(days=1)


class Bot(Exclusive):
    """Serves every platform: one engine, one database, actions out via a sink and the outbox."""

    # Handled event ids are stored for a restart or a replica to read; a private database
    # (a backtest's, read by this process alone) may do without: see SeenEvents.
    stores_event_ids = True

    def __init__(
        self,
        db: AsyncEngine,
        rulebook: Rulebook,
        *,
        platform: str = "replay",
        batch_size: int = 1,
        sink: Sink | None = None,
        private: bool = False,
        group_commit: bool = False,
        shared: bool = False,
    ) -> None:
        self.db = db
        self.rulebook = rulebook
        self.engine = Engine(rulebook)
        self.conversations = ConversationTracker()
        self.platform = platform
        self.batch_size = max(1, batch_size)
        # Group commit (live bots): while other events wait their turn, keep the transaction
        # open for them, up to batch_size; the last in the queue commits for all.
        self.group_commit = group_commit
        # Live bots keep an event that cannot be stored in failed_events (the platform was
        # told it was accepted); replay and the shell report it to their caller instead.
        self.keep_failed = group_commit
        # A shared database (replicas): the database decides which process handles an event,
        # and what one process remembers between commits may be stale, so it is read again.
        self.shared = shared
        self.clock: datetime | None = None
        self.timers = TimerQueue()
        self.transactions = Transactions(db)
        self.dead_letters = DeadLetters(db, platform)
        self.recorder = Recorder(sink)
        self.communities = Communities(rulebook, self.engine)
        self.members = Members(rulebook, self.transactions)
        self.desk = ApprovalDesk(rulebook, self.recorder, self.timers, private=private)
        self.coach = Coach(rulebook, self.recorder, self.desk, self.communities)
        self.welcomer = Welcomer(
            rulebook, self.recorder, self.communities, self.transactions, self.timers, platform
        )
        answers = Answers(rulebook, self.recorder, self.members)
        request_commands = RequestCommands(rulebook, answers, self.desk, self.members)
        self.commands = CommandHandler(
            answers,
            request_commands,
            CommunityCommands(
                answers, self.communities, self.members, self.desk, self.transactions
            ),
            ConfigCommands(answers, self.communities),
        )
        # Everything that reads settings: each event puts its community's settings in force.
        self._judges: tuple[HasRulebook, ...] = (
            self.members,
            self.desk,
            self.coach,
            self.welcomer,
            answers,
            request_commands,
        )
        self._lock = asyncio.Lock()
        self._queued = 0
        self._pending = 0
        self._batch: list[Entry] = []
        self._stale = False  # a rollback could not reload from the database
        self._batch_clock: datetime | None = None
        self._seen = SeenEvents()

    @property
    def sink(self) -> Sink | None:
        """Where every action is reported as it is taken (replay's output, the console)."""
        return self.recorder.sink

    @sink.setter
    def sink(self, sink: Sink | None) -> None:
        self.recorder.sink = sink

    @property
    def community_names(self) -> dict[str, str]:
        """Display names the adapters learn (workspace, server), used in texts."""
        return self.communities.names

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Look at the database once: is it fresh, which requests and welcomes are pending."""
        self.timers = TimerQueue()
        if self.clock is not None:
            self.timers.add(self.clock + RETENTION_EVERY, TimerKind.RETENTION, "")
        async with self.db.connect() as conn:
            members = await conn.scalar(select(func.count()).select_from(Member))
            events = await conn.scalar(select(func.count()).select_from(ProcessedEvent))
            # A fresh database: the caches hold everything there is, until they evict.
            fresh = not members and not events
            self.members.all_known = fresh and not self.shared
            # Fresh: nothing was processed before. Otherwise anything stamped before now may be.
            self._seen.floor = None if fresh else datetime.now(UTC)
            last = await conn.scalar(select(func.max(Request.id)))
            pending = await all_pending_requests(conn)
            batches = {
                community: utc(due)
                for community, due in await conn.execute(
                    select(PendingWelcome.community, func.min(PendingWelcome.due_at)).group_by(
                        PendingWelcome.community
                    )
                )
            }
        self.desk.restart(self.timers, pending, int(last or 0))
        self.welcomer.restart(self.timers, batches)

    async def close(self) -> None:
        """Wait for the event in hand, then commit what is buffered and release the connection."""
        try:
            async with asyncio.timeout(CLOSE_WAIT_SECONDS):
                await self._lock.acquire()
        except TimeoutError:  # an event stuck (a database that stopped answering): stop anyway
            log.error("closing without committing: an event is still being handled")
            return
        try:
            await self.commit()
        finally:
            self._lock.release()

    async def commit(self) -> None:
        """Commit the unit of work; a batch that will not commit is stored event by event."""
        entries = list(self._batch)
        try:
            await self.transactions.commit()
        except Exception as exc:
            log.warning(
                "a batch of %d events did not commit (%s): storing them one by one",
                len(entries),
                type(exc).__name__,
            )
            await self._salvage(entries)
            return
        except BaseException as exc:
            await self._abandon(entries, exc)
            raise
        self._pending = 0
        self._batch.clear()
        self._forget_between_commits()
        for entry in entries:
            entry.finish(entry.out)

    def _forget_between_commits(self) -> None:
        """On a shared database, members and settings are read afresh by the next batch."""
        if self.shared:
            self.members.refresh()
            self.communities.refresh()

    async def rollback(self) -> None:
        """Abandon the unit of work; reload what it may have changed from the database."""
        await self.transactions.rollback()
        abandoned = [(entry.event.community, entry.event.event_id) for entry in self._batch]
        self._pending = 0
        self._batch.clear()
        self.members.clear()
        if self.stores_event_ids:
            self._seen.clear()
        else:  # the ids are nowhere else: only those of the events abandoned are forgotten
            self._seen.forget(abandoned)
        self.communities.clear()
        self._stale = True  # until the database has been read again
        await self.start()  # timers, batched welcomes and the ledger as the database has them
        self._stale = False
        self.members.all_known = False
        if self.stores_event_ids:
            self._seen.floor = UNKNOWN

    async def _abandon(self, entries: list[Entry], error: BaseException) -> None:
        """Nothing of these is stored: each caller raises, so the platform retries."""
        for entry in entries:
            entry.fail(error)
        try:
            await self.rollback()
        except Exception:  # the database is away: the next event reloads it
            log.warning("could not reload after an abandoned batch", exc_info=True)

    async def _salvage(self, entries: list[Entry], failed: Entry | None = None) -> None:
        """Roll back, then store the events one at a time; one that cannot be is kept aside."""
        clock = self._batch_clock
        todo = [(entry, False) for entry in entries]
        if failed is not None:
            todo.append((failed, True))  # its actions were never reported
        try:
            await self.rollback()
            self.clock = clock  # the redo happens at the times it first did
            for entry, report in todo:
                await self._alone(entry, report)
        except BaseException as exc:
            await self._abandon([entry for entry, _ in todo if not entry.settled], exc)
            raise

    async def _alone(self, entry: Entry, report: bool) -> None:
        """Store one event in its own transaction, or keep it with its error in failed_events."""
        sink = self.sink
        if not report:
            self.sink = None  # its actions were reported the first time
        try:
            now = self._tick(entry.event.at)
            out = await self._advance(now)
            out.extend(await self._handle(entry.event, now))
            await self.transactions.commit()
        except Exception as exc:
            await self.rollback()  # raises while the database is away: the platform retries
            # An unreachable database is not the event's fault: its caller retries it later.
            if not self.keep_failed or unreachable(exc):
                log.error("event %s not stored: %s", entry.event.event_id, exc)
                entry.fail(exc)
                return
            await self.dead_letters.keep(entry.event, exc)
            entry.finish([])
            return
        finally:
            self.sink = sink
        self._batch_clock = self.clock
        self._forget_between_commits()
        entry.finish(out)

    async def repository(self, community: str) -> CommunityRepositories:
        """A repository bound to one community, inside the current unit of work."""
        repo = await self.transactions.repository(community)
        assert self.clock is not None
        await self.communities.ensure(repo, self.clock)
        self._in_force(community)
        return repo

    def _in_force(self, community: str) -> None:
        """Judge by this community's settings until another community's event comes."""
        rulebook = self.communities.rulebook_of(community)
        if rulebook is not self.members.rulebook:  # else the last event's, still in force
            self.engine = self.communities.engine_of(community)
            for part in self._judges:
                part.rulebook = rulebook

    # -- events ----------------------------------------------------------------------------

    async def handle(self, event: Event) -> list[Action]:
        """Process one event exactly once; return the actions it caused (timers first).

        Live bots (group commit) return once the event is stored, or kept in failed_events;
        when neither is possible (the database is away) this raises, so the platform retries.
        """
        self._queued += 1
        try:
            await self._lock.acquire()
        finally:
            self._queued -= 1
        try:
            entry = await self._take(event)
            full = self._pending >= self.batch_size
            if not entry.settled and (full or (self.group_commit and not self._queued)):
                await self.commit()
        finally:
            self._lock.release()
        if entry.done is not None:
            return await self._stored(entry.done)
        if entry.error is not None:
            raise entry.error
        return entry.out

    async def _take(self, event: Event) -> Entry:
        """Handle an event inside the open transaction; a failure salvages the batch."""
        if self._stale:  # the database was away at the last rollback
            await self.rollback()
        if not self._batch:
            self._batch_clock = self.clock
        now = self._tick(event.at)
        entry = Entry.waited(event, []) if self.group_commit else Entry(event, [])
        try:
            out = await self._advance(now)
            out.extend(await self._handle(event, now))
        except Exception as exc:
            log.warning(
                "event %s failed (%s): the rest of its batch is stored without it",
                event.event_id,
                type(exc).__name__,
            )
            if self.keep_failed:  # tried once more alone, then kept in failed_events
                await self._salvage(list(self._batch), entry)
            else:  # replay and the shell: the others are stored, this one is reported
                await self._salvage(list(self._batch))
                entry.fail(exc)
            return entry
        except BaseException as exc:
            await self._abandon([*self._batch, entry], exc)
            raise
        entry.out = out
        self._batch.append(entry)
        self._pending += 1
        return entry

    async def _stored(self, done: asyncio.Future[list[Action]]) -> list[Action]:
        """Wait for the group commit; commit ourselves if whoever was to has gone away."""
        while True:
            try:
                async with asyncio.timeout(COMMIT_WAIT_SECONDS):
                    return await asyncio.shield(done)
            except TimeoutError:
                async with self._lock:
                    if not done.done() and not self._queued:
                        await self.commit()

    def _tick(self, at: datetime) -> datetime:
        at = utc(at)
        if self.clock is None:
            self.timers.add(at + RETENTION_EVERY, TimerKind.RETENTION, "")
        if self.clock is None or at > self.clock:
            self.clock = at
        return self.clock

    async def _handle(self, event: Event, now: datetime) -> list[Action]:
        repo = await self.repository(event.community)
        key = (event.community, event.event_id)
        at = utc(event.at)
        if key in self._seen:
            return []
        if self.shared:  # whichever process inserts the id first handles the event
            if not await repo.events.claim(event.event_id, now):
                self._seen.remember(key, at, self.clock)
                return []
        elif self.stores_event_ids:
            floor = self._seen.floor
            if floor is not None and at <= floor and await repo.events.seen(event.event_id):
                return []
            repo.events.mark(event.event_id, now)
        self._seen.remember(key, at, self.clock)
        match event:
            case MemberJoined():
                return await self._joined(repo, event, now)
            case MessagePosted() | MessageEdited():
                return await self._posted(repo, event, now)
            case CommandIssued():
                return await self.commands.run(repo, event, now)

    async def _joined(
        self, repo: CommunityRepositories, ev: MemberJoined, now: datetime
    ) -> list[Action]:
        state = await self.members.get(repo, ev.member, now, ev.name)
        arrived = state.arrive(now)  # not a member the history read found: there before us
        state.name = ev.name or state.name
        if ev.roles is not None:  # the platform's current word, a demotion included
            state.roles = role_names(ev.roles)
        repo.members.save(state)
        return self.welcomer.joined(repo, ev, state, now) if arrived else []

    async def _posted(
        self, repo: CommunityRepositories, ev: MessagePosted | MessageEdited, now: datetime
    ) -> list[Action]:
        state = await self.members.get(repo, ev.member, now, ev.name)
        if ev.name and not state.name:
            state.name = ev.name
        if ev.roles is not None:  # the platform's current word, a demotion included
            state.roles = role_names(ev.roles)
        edited = isinstance(ev, MessageEdited)
        verdict = self.engine.evaluate(
            state,
            channel=ev.channel,
            message=ev.message,
            text=ev.text,
            at=now,
            community=ev.community,
            edited=edited,
            conversation=self.conversations.place(ev, remember=not edited),
        )
        repo.members.save(state)
        if not edited:
            promo = verdict.analysis.promotional and not self.engine.channel_facts(ev.channel)[1]
            repo.posts.add(ev.member, ev.message, ev.channel, now, promo)
        out: list[Action] = []
        if verdict.newly_introduced:
            introduced = Introduced(
                at=now, community=ev.community, member=ev.member, message=ev.message
            )
            self.recorder.emit(repo, introduced, out)
        if verdict.findings:
            await self.coach.coach(repo, ev, state, verdict, now, out)
        return out

    # -- timers ----------------------------------------------------------------------------

    async def advance(self, now: datetime) -> list[Action]:
        """Fire every timer due by `now` (committed at once unless batching)."""
        async with self._lock:
            try:
                out = await self._advance(utc(now))
            except Exception:
                await self._salvage(list(self._batch))  # the timers are reloaded and retried
                raise
            except BaseException as exc:
                await self._abandon(list(self._batch), exc)
                raise
            if self.batch_size == 1 or (self.group_commit and not self._queued):
                await self.commit()
            return out

    async def _advance(self, now: datetime) -> list[Action]:
        due = self.timers.next_due()
        if due is None or now < due:
            return []
        self.clock = max(self.clock or now, now)
        out: list[Action] = []
        for timer in self.timers.pop_due(now):
            await self._fire(timer, out)
        return out

    async def _fire(self, timer: Timer, out: list[Action]) -> None:
        """Carry out one due timer at its own time; stale ones (already decided) do nothing."""
        if timer.kind is TimerKind.RETENTION:  # of every community, not of one
            await self._retention(timer.due)
            return
        repo = await self.repository(timer.community)
        match timer.kind:
            case TimerKind.WELCOME_BATCH:
                if self.welcomer.batch_due(timer.community) == timer.due:  # else greeted already
                    out.extend(await self.welcomer.batch(repo, timer.due))
            case TimerKind.REMIND:
                await self.desk.remind(repo, timer, out)
            case TimerKind.EXPIRE:
                await self.desk.expire(repo, timer, out)

    async def _retention(self, now: datetime) -> None:
        """The daily sweep of old message text; the next one is a day later."""
        self.timers.add(now + RETENTION_EVERY, TimerKind.RETENTION, "")
        await sweep(self.transactions, self.repository, self.communities, now)

    async def finish(self) -> list[Action]:
        """End of input: deliver everything already due, including pending batched welcomes."""
        async with self._lock:
            out: list[Action] = []
            if self.clock is not None:
                out = await self._advance(self.clock)
                for community in self.welcomer.pending_batches():
                    repo = await self.repository(community)
                    out.extend(await self.welcomer.batch(repo, self.clock))
            await self.commit()
            return out

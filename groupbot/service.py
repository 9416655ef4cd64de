"""The bot: events in, decisions made by the engine, actions recorded and owed, all in one place."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from groupbot.core.actions import Action
from groupbot.core.engine import Engine, Verdict
from groupbot.core.events import CommandIssued, Event, MemberJoined, MessageEdited, MessagePosted
from groupbot.core.rulebook import Rulebook
from groupbot.core.state import MemberState
from groupbot.core.texts import batch_welcome_text, note_text, quote, welcome_text
from groupbot.core.welcome import BURST_WINDOW, WelcomePacer
from groupbot.storage import repository as repo_mod
from groupbot.storage.models import Member, PendingWelcome, ProcessedEvent, Request
from groupbot.storage.repository import CommunityRepository, UnitOfWork, utc
from groupbot.timers import TimerKind, TimerQueue, fire, request_summary

__all__ = ["Bot", "Sink"]

Sink = Callable[[Action], None]
log = logging.getLogger(__name__)

MEMBER_CACHE = 200_000
LIVE_BATCH = 64  # most events a live bot's group commit puts in one transaction
# How long close() waits for the event being handled before it gives up on committing.
CLOSE_WAIT_SECONDS = 30.0
RETENTION_EVERY = timedelta(days=1)
SEEN_CACHE = 50_000
SEEN_WINDOW = timedelta(days=1)


class Bot:
    """Serves every platform: one engine, one database, actions out via a sink and the outbox."""

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
    ) -> None:
        self.db = db
        self.rulebook = rulebook
        self.engine = Engine(rulebook)
        self.platform = platform
        self.batch_size = max(1, batch_size)
        self.sink = sink
        self.on_commit: Callable[[], None] | None = None  # e.g. wake the outbox worker
        self.community_names: dict[str, str] = {}  # display names adapters learn (workspace)
        # A private database (in-memory SQLite) is seen by no other process, so request ids can
        # be handed out here and written with the batch instead of one round trip each.
        self.private = private
        self._next_request = 0
        # ... and every pending request's state is known here: id -> (expiry, reminder still due).
        self._ledger: dict[int, tuple[datetime, bool]] | None = {} if private else None
        self._lock = asyncio.Lock()
        # Group commit (live bots): while other events wait their turn, keep the transaction
        # open for them, up to batch_size; the last in the queue commits for all.
        self.group_commit = group_commit
        self._queued = 0
        self._batch: list[Event] = []
        self._batch_clock: datetime | None = None
        self.clock: datetime | None = None
        self._conn: AsyncConnection | None = None
        self._uow: UnitOfWork | None = None
        self._pending = 0
        self._all_members = False
        # Event ids newer than the floor are all in `_seen`; older ones need the database.
        self._seen_floor: datetime | None = datetime.max.replace(tzinfo=UTC)
        self._members: OrderedDict[tuple[str, str], MemberState] = OrderedDict()
        self._seen: OrderedDict[tuple[str, str], datetime] = OrderedDict()
        self._communities: dict[str, bool | None] = {}
        self._pacers: dict[str, WelcomePacer] = {}
        self._batch_due: dict[str, datetime] = {}
        self.timers = TimerQueue()
        self._post_window = timedelta(days=rulebook.rules.self_promo_ratio.window_days)
        self._note_window = timedelta(days=rulebook.notes.escalate_window_days)
        from groupbot.commands import CommandHandler

        self._commands = CommandHandler(self)

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Look at the database once: is it fresh, and when is the next timer due."""
        self.timers = TimerQueue()
        self._batch_due = {}
        if self._ledger is not None:
            self._ledger = {}
        if self.clock is not None:
            self.timers.add(self.clock + RETENTION_EVERY, TimerKind.RETENTION, "")
        async with self.db.connect() as conn:
            members = await conn.scalar(select(func.count()).select_from(Member))
            events = await conn.scalar(select(func.count()).select_from(ProcessedEvent))
            # A fresh database: the caches hold everything there is, until they evict.
            fresh = not members and not events
            self._all_members = fresh
            # Fresh: nothing was processed before. Otherwise anything stamped before now may be.
            self._seen_floor = None if fresh else datetime.now(UTC)
            if self.private:
                last = await conn.scalar(select(func.max(Request.id)))
                self._next_request = int(last or 0) + 1
            for row in await repo_mod.pending_requests(conn):
                if self._ledger is not None:
                    self._ledger[row.id] = (row.expire_at, row.remind_at is not None)
                self.timers.add_request(
                    row.community,
                    row.id,
                    row.member,
                    request_summary(row.member_name or row.member, row.text),
                    row.remind_at,
                    row.expire_at,
                )
            for community, due in await conn.execute(
                select(PendingWelcome.community, func.min(PendingWelcome.due_at)).group_by(
                    PendingWelcome.community
                )
            ):
                self._batch_due[community] = utc(due)
                self.timers.add(utc(due), TimerKind.WELCOME_BATCH, community)

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
        """Flush buffered writes and commit the unit of work (callers hold the turn)."""
        if self._uow is None or self._conn is None:
            return
        await self._uow.flush()
        await self._conn.commit()
        await self._conn.close()
        owed = self._uow.outbox_written
        self._conn = None
        self._uow = None
        self._pending = 0
        self._batch.clear()
        if owed and self.on_commit is not None:
            self.on_commit()

    async def rollback(self) -> None:
        """Abandon the unit of work; reload what it may have changed from the database."""
        if self._conn is not None:
            await self._conn.rollback()
            await self._conn.close()
        self._conn = None
        self._uow = None
        self._pending = 0
        self._batch.clear()
        self._members.clear()
        self._seen.clear()
        self._communities.clear()
        await self.start()  # timers, batched welcomes and the ledger as the database has them
        self._all_members = False
        self._seen_floor = datetime.max.replace(tzinfo=UTC)

    async def _recover(self) -> None:
        """After a failed event: roll back, then redo the batch's other events without it."""
        survivors = list(self._batch)
        clock = self._batch_clock
        await self.rollback()
        self.clock = clock  # the redo happens at the times it first did
        sink, self.sink = self.sink, None  # their actions were reported the first time
        try:
            for event in survivors:
                now = self._tick(event.at)
                await self._advance(now)
                await self._handle(event, now)
            await self.commit()
        except BaseException:
            await self.rollback()
            raise
        finally:
            self.sink = sink

    async def _unit(self) -> UnitOfWork:
        if self._uow is None:
            self._conn = await self.db.connect()
            await self._conn.begin()
            self._uow = UnitOfWork(self._conn)
        return self._uow

    async def repository(self, community: str) -> CommunityRepository:
        """A repository bound to one community, inside the current unit of work."""
        uow = await self._unit()
        repo = CommunityRepository(uow, community)
        if community not in self._communities:
            assert self.clock is not None
            self._communities[community] = await repo.ensure_community(self.clock)
        return repo

    def shadow(self, community: str) -> bool:
        """Whether this community is in shadow mode right now."""
        override = self._communities.get(community)
        return self.rulebook.shadow_mode if override is None else override

    def set_shadow(self, community: str, on: bool) -> None:
        """Remember a shadow-mode switch made by an owner."""
        self._communities[community] = on

    # -- events ----------------------------------------------------------------------------

    async def handle(self, event: Event) -> list[Action]:
        """Process one event exactly once; return the actions it caused (timers first)."""
        self._queued += 1
        async with self._lock:
            self._queued -= 1
            if not self._batch:
                self._batch_clock = self.clock
            now = self._tick(event.at)
            try:
                out = await self._advance(now)
                out.extend(await self._handle(event, now))
            except BaseException:
                await self._recover()
                raise
            self._batch.append(event)
            self._pending += 1
            if self._pending >= self.batch_size or (self.group_commit and not self._queued):
                try:
                    await self.commit()
                except BaseException:
                    await self.rollback()
                    raise
            return out

    def _tick(self, at: datetime) -> datetime:
        at = utc(at)
        if self.clock is None:
            self.timers.add(at + RETENTION_EVERY, TimerKind.RETENTION, "")
        if self.clock is None or at > self.clock:
            self.clock = at
        return self.clock

    async def apply_retention(self, now: datetime) -> None:
        """Drop message text older than the retention period; schedule the next sweep."""
        self.timers.add(now + RETENTION_EVERY, TimerKind.RETENTION, "")
        horizon = now - timedelta(days=self.rulebook.retention.message_days)
        await (await self._unit()).flush()
        for community in list(self._communities):
            await (await self.repository(community)).purge_before(horizon, now)

    async def _handle(self, event: Event, now: datetime) -> list[Action]:
        repo = await self.repository(event.community)
        key = (event.community, event.event_id)
        at = utc(event.at)
        floor = self._seen_floor
        if key in self._seen or (
            floor is not None and at <= floor and await repo.seen(event.event_id)
        ):
            return []
        self._remember_seen(key, at)
        repo.mark_processed(event.event_id, now)
        match event:
            case MemberJoined():
                return await self._joined(repo, event, now)
            case MessagePosted() | MessageEdited():
                return await self._posted(repo, event, now)
            case CommandIssued():
                return await self._commands.run(repo, event, now)

    def _remember_seen(self, key: tuple[str, str], at: datetime) -> None:
        self._seen[key] = at
        horizon = (self.clock or at) - SEEN_WINDOW
        while self._seen:
            oldest_at = next(iter(self._seen.values()))
            if len(self._seen) <= SEEN_CACHE and oldest_at >= horizon:
                break
            self._seen.popitem(last=False)
            # Platforms retry within minutes, so only events this old can be forgotten repeats.
            if self._seen_floor is None or oldest_at > self._seen_floor:
                self._seen_floor = oldest_at

    async def member(
        self, repo: CommunityRepository, member: str, now: datetime, name: str = ""
    ) -> MemberState:
        """The member's state from the cache, the database, or new (a pre-existing member)."""
        key = (repo.community, member)
        state = self._members.get(key)
        if state is None:
            if not self._all_members:
                await (await self._unit()).flush()  # an evicted member may still be buffered
                state = await repo.load_member(member, now, self._post_window, self._note_window)
            if state is None:
                state = MemberState(member=member, first_seen_at=now, name=name)
            self._members[key] = state
            if len(self._members) > MEMBER_CACHE:
                self._members.popitem(last=False)
                self._all_members = False  # from now on a cache miss may be a known member
        else:
            self._members.move_to_end(key)
        return state

    def forget_cached(self, community: str, member: str, requests: list[int]) -> None:
        """Drop a forgotten member from the cache, and their requests from the ledger."""
        self._members.pop((community, member), None)
        if self._ledger is not None:
            for request in requests:
                self._ledger.pop(request, None)

    def emit(
        self, repo: CommunityRepository, action: Action, out: list[Action], *, deliver: bool = True
    ) -> None:
        """Record an action (audit log + outbox) and hand it to the sink."""
        shadow = action.action == "shadow_decision"
        repo.record(action, shadow=shadow, deliver=deliver and not shadow)
        out.append(action)
        if self.sink is not None:
            self.sink(action)

    async def _joined(
        self, repo: CommunityRepository, ev: MemberJoined, now: datetime
    ) -> list[Action]:
        state = await self.member(repo, ev.member, now, ev.name)
        state.joined_at = now
        state.name = ev.name or state.name
        if ev.roles:
            state.roles = frozenset(r.lower() for r in ev.roles)
        repo.save_member(state)
        out: list[Action] = []
        welcome = self.rulebook.welcome
        if not welcome.enabled:
            return out
        name = state.display_name()
        c = ev.community
        if self.shadow(c):
            self.emit(
                repo,
                Action("shadow_decision", now, c, {"member": ev.member, "would": ["welcome"]}),
                out,
            )
            return out
        pacer = self._pacers.setdefault(c, WelcomePacer())
        if c not in self._batch_due and pacer.allow(now, welcome.dm_per_minute):
            via = welcome.resolved_mode(self.platform)
            fields: dict[str, Any] = {
                "member": ev.member,
                "text": welcome_text(self.rulebook, self.community_names.get(c, c), name),
                "via": via,
            }
            if via == "channel":
                fields["channel"] = self.rulebook.channels.welcome
            self.emit(repo, Action("welcome", now, c, fields), out)
            return out
        due = self._batch_due.get(c)
        if due is None:
            due = self._batch_due[c] = now + BURST_WINDOW
            self.timers.add(due, TimerKind.WELCOME_BATCH, c)
        repo.queue_welcome(ev.member, name, due)
        return out

    async def _posted(
        self, repo: CommunityRepository, ev: MessagePosted | MessageEdited, now: datetime
    ) -> list[Action]:
        state = await self.member(repo, ev.member, now, ev.name)
        if ev.name and not state.name:
            state.name = ev.name
        if ev.roles:
            state.roles = frozenset(r.lower() for r in ev.roles)
        edited = isinstance(ev, MessageEdited)
        verdict = self.engine.evaluate(
            state,
            channel=ev.channel,
            message=ev.message,
            text=ev.text,
            at=now,
            community=ev.community,
            edited=edited,
        )
        repo.save_member(state)
        if not edited:
            promo = verdict.analysis.promotional and not self.engine.channel_facts(ev.channel)[1]
            repo.add_post(ev.member, ev.message, ev.channel, now, promo)
        out: list[Action] = []
        c = ev.community
        if verdict.newly_introduced:
            self.emit(
                repo,
                Action("introduced", now, c, {"member": ev.member, "message": ev.message}),
                out,
                deliver=False,
            )
        if verdict.findings:
            await self._coach(repo, ev, state, verdict, now, out)
        return out

    async def _coach(
        self,
        repo: CommunityRepository,
        ev: MessagePosted | MessageEdited,
        state: MemberState,
        verdict: Verdict,
        now: datetime,
        out: list[Action],
    ) -> None:
        c = ev.community
        findings = verdict.findings
        primary = findings[0]
        reasons = [
            {"signal": s.signal, "evidence": s.evidence, "detail": s.detail}
            for s in verdict.analysis.reasons
        ]
        rules = [f.rule for f in findings]
        evidence = [
            {"rule": f.rule, "evidence": f.evidence, "detail": f.detail, "threshold": f.threshold}
            for f in findings
        ]
        if verdict.continues_blast:
            if verdict.hold and state.blast_request is not None and not self.shadow(c):
                hold = {
                    "member": ev.member,
                    "message": ev.message,
                    "channel": ev.channel,
                    "request": state.blast_request,
                }
                self.emit(repo, Action("hold", now, c, hold), out)
            return
        if self.shadow(c):
            would = ["etiquette_note"] + (["hold", "approval_requested"] if verdict.hold else [])
            fields = {
                "member": ev.member,
                "message": ev.message,
                "rule": primary.rule,
                "rules": rules,
                "would": would,
                "findings": evidence,
                "reasons": reasons,
            }
            self.emit(repo, Action("shadow_decision", now, c, fields), out)
            return
        request: int | None = None
        if verdict.hold:
            request = await self.open_request(
                repo,
                member=state,
                origin="hold",
                channel=ev.channel,
                message=ev.message,
                text=ev.text,
                rule=primary.rule,
                evidence="; ".join(f"{f.rule}: {f.evidence}" for f in findings),
                now=now,
            )
            if "cross_post" in rules:
                state.blast_request = request
        name = state.display_name()
        shown = self.community_names.get(c, c)
        text = note_text(self.rulebook, shown, name, ev.text, [f.detail for f in findings], request)
        note = {
            "member": ev.member,
            "message": ev.message,
            "rule": primary.rule,
            "rules": rules,
            "text": text,
            "findings": evidence,
            "reasons": reasons,
            "channel": ev.channel,
        }
        self.emit(repo, Action("etiquette_note", now, c, note), out)
        if request is not None:
            for message, channel in (*verdict.also_hold, (ev.message, ev.channel)):
                hold = {
                    "member": ev.member,
                    "message": message,
                    "channel": channel,
                    "request": request,
                }
                self.emit(repo, Action("hold", now, c, hold), out)
            await self.announce_request(
                repo, request, state, ev.message, ev.channel, ev.text, primary.rule, now, out
            )
        if verdict.escalate:
            alert = {
                "member": ev.member,
                "notes": len(state.note_times),
                "window_days": self.rulebook.notes.escalate_window_days,
                "rule": primary.rule,
                "text": (
                    f"{name} has had {len(state.note_times)} etiquette notes in "
                    f"{self.rulebook.notes.escalate_window_days} days (latest: {primary.rule}). "
                    "A personal word from an owner may help; groupbot never bans."
                ),
            }
            self.emit(repo, Action("owners_alerted", now, c, alert), out)

    async def open_request(
        self,
        repo: CommunityRepository,
        *,
        member: MemberState,
        origin: str,
        channel: str,
        message: str | None,
        text: str,
        rule: str | None,
        evidence: str,
        now: datetime,
    ) -> int:
        """Queue an approval request with its reminder and expiry timers."""
        approvals = self.rulebook.approvals
        remind = approvals.remind_after_hours
        expire_at = now + timedelta(hours=approvals.expire_after_hours)
        remind_at = (
            now + timedelta(hours=remind) if 0 < remind < approvals.expire_after_hours else None
        )
        request = await repo.create_request(
            member=member.member,
            member_name=member.display_name(),
            origin=origin,
            channel=channel,
            message=message,
            text=text,
            rule=rule,
            evidence=evidence,
            at=now,
            remind_at=remind_at,
            expire_at=expire_at,
            request_id=self._take_request_id() if self.private else None,
        )
        if self._ledger is not None:
            self._ledger[request] = (expire_at, remind_at is not None)
        summary = request_summary(member.display_name(), text)
        self.timers.add_request(
            repo.community, request, member.member, summary, remind_at, expire_at
        )
        return request

    async def decide(
        self,
        repo: CommunityRepository,
        request: int,
        status: str,
        by: str | None,
        note: str | None,
        at: datetime,
    ) -> bool:
        """Decide a pending request exactly once; False if it was no longer pending."""
        if self._ledger is None:
            return await repo.decide(request, status, by, note, at)
        if self._ledger.pop(request, None) is None:
            return False
        repo.decide_later(request, status, by, note, at)
        return True

    async def claim_reminder(self, repo: CommunityRepository, request: int) -> datetime | None:
        """Claim a pending request's one reminder; its expiry time, or None if none is due."""
        if self._ledger is None:
            return await repo.mark_reminded(request)
        entry = self._ledger.get(request)
        if entry is None or not entry[1]:
            return None
        self._ledger[request] = (entry[0], False)
        repo.reminded_later(request)
        return entry[0]

    def _take_request_id(self) -> int:
        self._next_request += 1
        return self._next_request - 1

    async def announce_request(
        self,
        repo: CommunityRepository,
        request: int,
        member: MemberState,
        message: str | None,
        channel: str,
        text: str,
        rule: str | None,
        now: datetime,
        out: list[Action],
    ) -> None:
        """Emit approval_requested and notify the owners."""
        c = repo.community
        self.emit(
            repo,
            Action(
                "approval_requested",
                now,
                c,
                {
                    "request": request,
                    "member": member.member,
                    "message": message,
                    "channel": channel,
                    "rule": rule,
                },
            ),
            out,
            deliver=False,
        )
        mods = self.rulebook.channels.moderators
        self.emit(
            repo,
            Action(
                "owners_notified",
                now,
                c,
                {
                    "request": request,
                    "member": member.member,
                    "member_name": member.display_name(),
                    "channel": channel,
                    "rule": rule,
                    "via": "channel" if mods else "dm",
                    "moderators_channel": mods or None,
                    "text": (
                        f"Request #{request} from {member.display_name()} for #{channel}"
                        + (f" ({rule})" if rule else "")
                        + f": {quote(text, 200)} — approve {request} / deny {request} REASON"
                    ),
                },
            ),
            out,
        )

    def decided(
        self,
        repo: CommunityRepository,
        request: int,
        status: str,
        member: str,
        by: str | None,
        note: str | None,
        at: datetime,
        out: list[Action],
    ) -> None:
        """Tell the owners' copies of a request how it was decided (they get updated)."""
        fields = {
            "request": request,
            "status": str(status),
            "member": member,
            "by": by,
            "note": note,
        }
        self.emit(repo, Action("request_decided", at, repo.community, fields), out)

    # -- timers ----------------------------------------------------------------------------

    async def advance(self, now: datetime) -> list[Action]:
        """Fire every timer due by `now` (committed at once unless batching)."""
        async with self._lock:
            try:
                out = await self._advance(utc(now))
                if self.batch_size == 1 or (self.group_commit and not self._queued):
                    await self.commit()
            except BaseException:
                await self.rollback()
                raise
            return out

    async def _advance(self, now: datetime) -> list[Action]:
        due = self.timers.next_due()
        if due is None or now < due:
            return []
        self.clock = max(self.clock or now, now)
        return await fire(self, self.timers.pop_due(now))

    async def finish(self) -> list[Action]:
        """End of input: deliver everything already due, including pending batched welcomes."""
        async with self._lock:
            out: list[Action] = []
            if self.clock is not None:
                out = await self._advance(self.clock)
                for community in sorted(self._batch_due):
                    repo = await self.repository(community)
                    out.extend(await self.welcome_batch(repo, self.clock))
            await self.commit()
            return out

    def batch_due(self, community: str) -> datetime | None:
        """When the community's pending batched welcome is due, if one is pending."""
        return self._batch_due.get(community)

    async def welcome_batch(self, repo: CommunityRepository, at: datetime) -> list[Action]:
        """One channel post greeting every newcomer waiting for a welcome."""
        await (await self._unit()).flush()
        self._batch_due.pop(repo.community, None)
        waiting = await repo.take_welcomes()
        out: list[Action] = []
        if not waiting:
            return out
        names = [name or member for member, name in waiting]
        shown = self.community_names.get(repo.community, repo.community)
        text = batch_welcome_text(self.rulebook, shown, names)
        channel = self.rulebook.channels.welcome
        for n, (member, _) in enumerate(waiting):
            fields: dict[str, Any] = {
                "member": member,
                "text": text,
                "via": "channel",
                "channel": channel,
                "batch": [m for m, _ in waiting],
            }
            # One post greets them all: only the first action is delivered.
            self.emit(repo, Action("welcome", at, repo.community, fields), out, deliver=n == 0)
        return out

"""The approval desk: opens requests, decides them exactly once, reminds, and lets them lapse."""

from __future__ import annotations

from datetime import datetime, timedelta

from groupbot.core.actions import (
    Action,
    ApprovalRequested,
    OwnersNotified,
    OwnersReminded,
    RequestDecided,
    RequestExpired,
    format_time,
)
from groupbot.core.approvals import Status
from groupbot.core.i18n import say
from groupbot.core.rulebook import Rulebook
from groupbot.core.state import MemberState
from groupbot.core.texts import expiry_text, quote
from groupbot.service.recorder import Recorder
from groupbot.service.timers import Timer, TimerQueue, request_summary
from groupbot.storage.repositories import CommunityRepositories, RequestRow

__all__ = ["ApprovalDesk"]


class ApprovalDesk:
    """Owns the request lifecycle; on a private database it also hands out ids and tracks them."""

    def __init__(
        self, rulebook: Rulebook, recorder: Recorder, timers: TimerQueue, *, private: bool
    ) -> None:
        self.rulebook = rulebook
        self.recorder = recorder
        self.timers = timers
        # A private database (in-memory SQLite) is seen by no other process, so request ids can
        # be handed out here and written with the batch instead of one round trip each, and
        # every pending request's state is known here: id -> (expiry, reminder still due).
        self.private = private
        self._next_request = 1
        self._ledger: dict[int, tuple[datetime, bool]] | None = {} if private else None

    def restart(self, timers: TimerQueue, pending: list[RequestRow], last_id: int) -> None:
        """Rebuild the timers (and the ledger) from the database's pending requests."""
        self.timers = timers
        self._next_request = last_id + 1
        if self._ledger is not None:
            self._ledger = {}
        for row in pending:
            if self._ledger is not None:
                self._ledger[row.id] = (row.expire_at, row.remind_at is not None)
            summary = request_summary(row.member_name or row.member, row.text)
            timers.add_request(
                row.community, row.id, row.member, summary, row.remind_at, row.expire_at
            )

    async def open(
        self,
        repo: CommunityRepositories,
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
        """Queue an approval request with its reminder and expiry timers; return its id."""
        approvals = self.rulebook.approvals
        remind = approvals.remind_after_hours
        expire_at = now + timedelta(hours=approvals.expire_after_hours)
        remind_at = (
            now + timedelta(hours=remind) if 0 < remind < approvals.expire_after_hours else None
        )
        given = None
        if self.private:
            given, self._next_request = self._next_request, self._next_request + 1
        request = await repo.requests.create(
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
            request_id=given,
        )
        if self._ledger is not None:
            self._ledger[request] = (expire_at, remind_at is not None)
        summary = request_summary(member.display_name(), text)
        self.timers.add_request(
            repo.community, request, member.member, summary, remind_at, expire_at
        )
        return request

    def announce(
        self,
        repo: CommunityRepositories,
        request: int,
        member: MemberState,
        message: str | None,
        channel: str,
        text: str,
        rule: str | None,
        now: datetime,
        out: list[Action],
    ) -> None:
        """Record the request and notify the owners."""
        c = repo.community
        self.recorder.emit(
            repo,
            ApprovalRequested(
                at=now,
                community=c,
                request=request,
                member=member.member,
                message=message,
                channel=channel,
                rule=rule,
            ),
            out,
        )
        mods = self.rulebook.channels.moderators
        name = member.display_name()
        self.recorder.emit(
            repo,
            OwnersNotified(
                at=now,
                community=c,
                request=request,
                member=member.member,
                member_name=name,
                channel=channel,
                rule=rule,
                via="channel" if mods else "dm",
                moderators_channel=mods or None,
                text=say(
                    self.rulebook.community.language,
                    "notice.request" if rule else "notice.request_asked_first",
                    request=request,
                    name=name,
                    channel=channel,
                    rule=rule or "",
                    quote=quote(text, 200),
                ),
            ),
            out,
        )

    async def decide(
        self,
        repo: CommunityRepositories,
        request: int,
        status: Status,
        by: str | None,
        note: str | None,
        at: datetime,
    ) -> bool:
        """Decide a pending request exactly once; False if it was no longer pending."""
        if self._ledger is None:
            return await repo.requests.decide(request, status, by, note, at)
        if self._ledger.pop(request, None) is None:
            return False
        repo.requests.decide_later(request, status, by, note, at)
        return True

    def decided(
        self,
        repo: CommunityRepositories,
        request: int,
        status: Status,
        member: str,
        by: str | None,
        note: str | None,
        at: datetime,
        out: list[Action],
    ) -> None:
        """Tell the owners' copies of a request how it was decided (they get updated)."""
        self.recorder.emit(
            repo,
            RequestDecided(
                at=at,
                community=repo.community,
                request=request,
                status=str(status),
                member=member,
                by=by,
                note=note,
            ),
            out,
        )

    def forget(self, requests: list[int]) -> None:
        """Drop a forgotten member's requests from the ledger."""
        if self._ledger is not None:
            for request in requests:
                self._ledger.pop(request, None)

    async def _claim_reminder(self, repo: CommunityRepositories, request: int) -> datetime | None:
        """Claim a pending request's one reminder; its expiry time, or None if none is due."""
        if self._ledger is None:
            return await repo.requests.mark_reminded(request)
        entry = self._ledger.get(request)
        if entry is None or not entry[1]:
            return None
        self._ledger[request] = (entry[0], False)
        repo.requests.reminded_later(request)
        return entry[0]

    async def remind(self, repo: CommunityRepositories, timer: Timer, out: list[Action]) -> None:
        """Remind the owners of a request still pending (a decided one is left alone)."""
        assert timer.request is not None
        request = timer.request
        expire_at = await self._claim_reminder(repo, request)
        if expire_at is None:
            return
        self.recorder.emit(
            repo,
            OwnersReminded(
                at=timer.due,
                community=timer.community,
                request=request,
                member=timer.member,
                expires_at=format_time(expire_at),
                text=say(
                    self.rulebook.community.language,
                    "notice.reminder",
                    request=request,
                    summary=timer.summary,
                    expires=f"{expire_at:%Y-%m-%d %H:%M}",
                ),
            ),
            out,
        )

    async def expire(self, repo: CommunityRepositories, timer: Timer, out: list[Action]) -> None:
        """Let a request nobody decided lapse, and tell the member."""
        assert timer.request is not None
        request = timer.request
        if not await self.decide(repo, request, Status.EXPIRED, None, None, timer.due):
            return
        self.recorder.emit(
            repo,
            RequestExpired(
                at=timer.due,
                community=timer.community,
                request=request,
                member=timer.member,
                text=expiry_text(request, self.rulebook.community.language),
            ),
            out,
        )
        self.decided(repo, request, Status.EXPIRED, timer.member, None, None, timer.due, out)

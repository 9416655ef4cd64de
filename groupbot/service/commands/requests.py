"""Commands of the approval queue: share, withdraw, queue, approve, deny."""

from __future__ import annotations

from datetime import datetime

from groupbot.core.actions import (
    Action,
    PassGranted,
    Published,
    QueueListed,
    RequestApproved,
    RequestDenied,
    RequestWithdrawn,
)
from groupbot.core.approvals import Status, parse_request_id, refusal_for_decided
from groupbot.core.events import CommandIssued
from groupbot.core.rulebook import Rulebook
from groupbot.core.texts import attribution, denial_text, quote
from groupbot.service.approvals import ApprovalDesk
from groupbot.service.commands.answers import Answers
from groupbot.service.members import Members
from groupbot.storage.repositories import CommunityRepositories

__all__ = ["RequestCommands"]


class RequestCommands:
    """Members ask first and withdraw; owners list, approve and deny."""

    def __init__(
        self, rulebook: Rulebook, answers: Answers, desk: ApprovalDesk, members: Members
    ) -> None:
        self.rulebook = rulebook
        self.answers = answers
        self.desk = desk
        self.members = members

    async def share(
        self, repo: CommunityRepositories, ev: CommandIssued, now: datetime, out: list[Action]
    ) -> None:
        """`share CHANNEL TEXT`: ask the owners before promoting."""
        if len(ev.args) < 2 or not ev.args[0].strip() or not " ".join(ev.args[1:]).strip():
            self.answers.reject(repo, ev, now, out, self.answers.say("refusal.usage.share"))
            return
        channel = ev.args[0].strip().lstrip("#")
        text = " ".join(ev.args[1:]).strip()
        state = await self.members.get(repo, ev.member, now, ev.display_name)
        request = await self.desk.open(
            repo,
            member=state,
            origin="share",
            channel=channel,
            message=None,
            text=text,
            rule=None,
            evidence="",
            now=now,
        )
        self.desk.announce(repo, request, state, None, channel, text, None, now, out)
        thanks = self.answers.say("reply.share_thanks", request=request)
        self.answers.reply(repo, ev, now, out, thanks, request=request)

    async def _target(
        self,
        repo: CommunityRepositories,
        ev: CommandIssued,
        now: datetime,
        out: list[Action],
        what: str,
        usage: str,
        min_args: int,
    ) -> int | None:
        """The pending request an owner's decision is about, or None (refused)."""
        if not await self.answers.is_owner(repo, ev, now):
            self.answers.reject(repo, ev, now, out, self.answers.owners_only(what))
            return None
        request = parse_request_id(ev.args[0]) if ev.args else None
        if request is None or len(ev.args) < min_args:
            self.answers.reject(repo, ev, now, out, self.answers.say(f"refusal.usage.{usage}"))
            return None
        row = await repo.requests.get(request)
        if row is None:
            refusal = self.answers.say("refusal.no_request", request=request)
            self.answers.reject(repo, ev, now, out, refusal)
            return None
        if row.status != Status.PENDING:
            refusal = refusal_for_decided(
                request, row.status, row.decided_by, self.answers.language
            )
            self.answers.reject(repo, ev, now, out, refusal)
            return None
        return request

    async def _lost_race(
        self,
        repo: CommunityRepositories,
        ev: CommandIssued,
        now: datetime,
        out: list[Action],
        request: int,
    ) -> None:
        """Someone decided the request between our check and our update: say who."""
        row = await repo.requests.get(request)
        status, by = (row.status, row.decided_by) if row else ("decided", None)
        refusal = refusal_for_decided(request, status, by, self.answers.language)
        self.answers.reject(repo, ev, now, out, refusal)

    async def approve(
        self, repo: CommunityRepositories, ev: CommandIssued, now: datetime, out: list[Action]
    ) -> None:
        """`approve ID [NOTE]`: publish with attribution, or grant a one-time pass."""
        request = await self._target(repo, ev, now, out, "approve", "approve", 1)
        if request is None:
            return
        note = " ".join(ev.args[1:]).strip() or None
        if not await self.desk.decide(repo, request, Status.APPROVED, ev.member, note, now):
            await self._lost_race(repo, ev, now, out, request)
            return
        row = await repo.requests.get(request)
        assert row is not None
        c = ev.community
        language = self.answers.language
        if self.rulebook.approvals.on_approve == "pass":
            text = self.answers.say("reply.approved_pass", request=request, channel=row.channel)
            granted = PassGranted(
                at=now,
                community=c,
                request=request,
                member=row.member,
                channel=row.channel,
                text=text,
            )
            self.answers.emit(repo, granted, out)
        else:
            published = Published(
                at=now,
                community=c,
                request=request,
                member=row.member,
                channel=row.channel,
                text=attribution(row.member_name or row.member, row.text, language),
                by=ev.member,
            )
            self.answers.emit(repo, published, out)
            text = self.answers.say(
                "reply.approved_published", request=request, channel=row.channel
            )
        if note:
            text = self.answers.say("reply.owners_note", text=text, note=note)
        approved = RequestApproved(
            at=now,
            community=c,
            request=request,
            member=row.member,
            by=ev.member,
            note=note,
            text=text,
        )
        self.answers.emit(repo, approved, out)
        self.desk.decided(repo, request, Status.APPROVED, row.member, ev.member, note, now, out)
        who = row.member_name or row.member
        publishes = self.rulebook.approvals.on_approve != "pass"
        done = self.answers.say(
            "reply.approved_owner_published" if publishes else "reply.approved_owner_pass",
            request=request,
            name=who,
            channel=row.channel,
        )
        self.answers.reply(repo, ev, now, out, done, request)

    async def deny(
        self, repo: CommunityRepositories, ev: CommandIssued, now: datetime, out: list[Action]
    ) -> None:
        """`deny ID REASON`: the member is told why, kindly, and may ask again."""
        request = await self._target(repo, ev, now, out, "deny", "deny", 2)
        if request is None:
            return
        reason = " ".join(ev.args[1:]).strip()
        if not reason:
            refusal = self.answers.say("refusal.usage.deny_reason")
            self.answers.reject(repo, ev, now, out, refusal)
            return
        if not await self.desk.decide(repo, request, Status.DENIED, ev.member, reason, now):
            await self._lost_race(repo, ev, now, out, request)
            return
        row = await repo.requests.get(request)
        assert row is not None
        denied = RequestDenied(
            at=now,
            community=ev.community,
            request=request,
            member=row.member,
            reason=reason,
            by=ev.member,
            text=denial_text(
                request, reason, asked_first=row.origin == "share", language=self.answers.language
            ),
        )
        self.answers.emit(repo, denied, out)
        self.desk.decided(repo, request, Status.DENIED, row.member, ev.member, reason, now, out)
        who = row.member_name or row.member
        told = self.answers.say("reply.denied_owner", request=request, name=who)
        self.answers.reply(repo, ev, now, out, told, request)

    async def withdraw(
        self, repo: CommunityRepositories, ev: CommandIssued, now: datetime, out: list[Action]
    ) -> None:
        """`withdraw ID`: a member takes back their own pending request."""
        request = parse_request_id(ev.args[0]) if ev.args else None
        if request is None:
            self.answers.reject(repo, ev, now, out, self.answers.say("refusal.usage.withdraw"))
            return
        row = await repo.requests.get(request)
        if row is None or row.member != ev.member:
            refusal = self.answers.say("refusal.not_your_request", request=request)
            self.answers.reject(repo, ev, now, out, refusal)
            return
        if row.status != Status.PENDING or not await self.desk.decide(
            repo, request, Status.WITHDRAWN, ev.member, None, now
        ):
            refusal = refusal_for_decided(
                request, row.status, row.decided_by, self.answers.language
            )
            self.answers.reject(repo, ev, now, out, refusal)
            return
        withdrawn = RequestWithdrawn(
            at=now, community=ev.community, request=request, member=ev.member
        )
        self.answers.emit(repo, withdrawn, out)
        self.desk.decided(repo, request, Status.WITHDRAWN, ev.member, ev.member, None, now, out)
        gone = self.answers.say("reply.withdrawn", request=request)
        self.answers.reply(repo, ev, now, out, gone, request)

    async def queue(
        self, repo: CommunityRepositories, ev: CommandIssued, now: datetime, out: list[Action]
    ) -> None:
        """`queue`: the pending requests, oldest first (owners)."""
        if not await self.answers.owner_or_refuse(repo, ev, now, out, "queue"):
            return
        rows = await repo.requests.queue_lines()
        asked_first = self.answers.say("reply.queue_asked_first")
        lines = [
            f"#{request} {who} → #{channel}" + f" ({rule or asked_first})" + f": {quote(text, 100)}"
            for request, who, channel, rule, text in rows
        ]
        text = (
            self.answers.say("reply.queue", lines="\n".join(lines))
            if lines
            else self.answers.say("reply.queue_empty")
        )
        listed = QueueListed(
            at=now,
            community=ev.community,
            member=ev.member,
            name=ev.name,
            text=text,
            requests=tuple(r[0] for r in rows),
            channel=ev.channel,
            event=ev.event_id,
        )
        self.answers.emit(repo, listed, out)

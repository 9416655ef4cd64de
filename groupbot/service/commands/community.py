"""Commands about the community itself: help, stats, shadow mode, forgetting a member."""

from __future__ import annotations

from datetime import datetime

from groupbot.core.actions import Action, MemberForgotten, ShadowModeChanged, StatsReported
from groupbot.core.events import CommandIssued
from groupbot.core.texts import stats_text
from groupbot.service.approvals import ApprovalDesk
from groupbot.service.commands.answers import Answers
from groupbot.service.communities import Communities
from groupbot.service.members import Members
from groupbot.service.transactions import Transactions
from groupbot.storage.repositories import CommunityRepositories

__all__ = ["COMMANDS", "CommunityCommands"]

COMMANDS = {
    "help": "help — what groupbot can do for you",
    "share": "share CHANNEL TEXT — ask the owners before sharing a promotion",
    "withdraw": "withdraw ID — withdraw your own pending request",
    "queue": "queue — list pending requests (owners)",
    "approve": "approve ID [NOTE] — approve a request (owners)",
    "deny": "deny ID REASON — deny a request with a kind reason (owners)",
    "stats": "stats — the community's health (owners)",
    "shadow": "shadow on|off — record decisions without sending anything (owners)",
    "forget": "forget MEMBER — delete everything stored about a member (owners)",
    "config": "config show [KEY] | set KEY VALUE | reset KEY | history — settings (owners)",
}


class CommunityCommands:
    """Owners look after the community; anyone may ask for help."""

    def __init__(
        self,
        answers: Answers,
        communities: Communities,
        members: Members,
        desk: ApprovalDesk,
        transactions: Transactions,
    ) -> None:
        self.answers = answers
        self.communities = communities
        self.members = members
        self.desk = desk
        self.transactions = transactions

    async def help(
        self, repo: CommunityRepositories, ev: CommandIssued, now: datetime, out: list[Action]
    ) -> None:
        """`help`: every command, one line each."""
        text = "groupbot commands:\n" + "\n".join(COMMANDS.values())
        self.answers.reply(repo, ev, now, out, text)

    async def stats(
        self, repo: CommunityRepositories, ev: CommandIssued, now: datetime, out: list[Action]
    ) -> None:
        """`stats`: newcomers, intro rate, notes, promotional share, turnaround (owners)."""
        if not await self.answers.owner_or_refuse(repo, ev, now, out, "stats"):
            return
        await self.transactions.flush()
        stats = await repo.stats()
        reported = StatsReported(
            at=now,
            community=ev.community,
            member=ev.member,
            name=ev.name,
            text=stats_text(stats),
            stats=stats,
            channel=ev.channel,
            event=ev.event_id,
        )
        self.answers.emit(repo, reported, out)

    async def shadow(
        self, repo: CommunityRepositories, ev: CommandIssued, now: datetime, out: list[Action]
    ) -> None:
        """`shadow on|off`: record decisions without sending anything (owners)."""
        if not await self.answers.owner_or_refuse(repo, ev, now, out, "configuration"):
            return
        arg = ev.args[0].strip().lower() if ev.args else ""
        if arg not in ("on", "off"):
            self.answers.reject(repo, ev, now, out, "Usage: shadow on|off")
            return
        on = arg == "on"
        was = self.communities.shadow(ev.community)
        await repo.row.set_shadow_mode(on)
        await repo.settings.record("shadow_mode", was, on, ev.member, now)
        self.communities.set_shadow(ev.community, on)
        text = (
            "Shadow mode is on: I'll record decisions and send nothing to members."
            if on
            else "Shadow mode is off: I'll coach members again."
        )
        changed = ShadowModeChanged(
            at=now,
            community=ev.community,
            member=ev.member,
            name=ev.name,
            text=text,
            shadow=on,
            channel=ev.channel,
            event=ev.event_id,
        )
        self.answers.emit(repo, changed, out)

    async def forget(
        self, repo: CommunityRepositories, ev: CommandIssued, now: datetime, out: list[Action]
    ) -> None:
        """`forget MEMBER`: delete everything stored about a member (owners)."""
        if not await self.answers.owner_or_refuse(repo, ev, now, out, "forget"):
            return
        if len(ev.args) != 1 or not ev.args[0].strip():
            self.answers.reject(repo, ev, now, out, "Usage: forget MEMBER")
            return
        member = ev.args[0].strip().lstrip("@")
        await self.transactions.flush()
        requests = [r.id for r in await repo.requests.of_member(member, limit=100_000)]
        removed = await repo.forget(member)
        self.members.forget(ev.community, member)
        self.desk.forget(requests)
        forgotten = MemberForgotten(
            at=now,
            community=ev.community,
            member=ev.member,
            name=ev.name,
            text=f"Forgot {member}: {removed} records deleted.",
            forgotten=member,
            records=removed,
            channel=ev.channel,
            event=ev.event_id,
        )
        self.answers.emit(repo, forgotten, out)

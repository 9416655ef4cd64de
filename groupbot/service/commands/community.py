"""Commands about the community itself: help, stats, shadow mode, forgetting a member."""

from __future__ import annotations

from datetime import datetime

from groupbot.core.actions import Action, MemberForgotten, ShadowModeChanged, StatsReported
from groupbot.core.events import CommandIssued
from groupbot.core.i18n import MESSAGES
from groupbot.core.texts import stats_text
from groupbot.service.approvals import ApprovalDesk
from groupbot.service.commands.answers import Answers
from groupbot.service.communities import Communities
from groupbot.service.members import Members
from groupbot.service.transactions import Transactions
from groupbot.storage.repositories import CommunityRepositories

__all__ = ["COMMANDS", "CommunityCommands"]

_NAMES = (
    "help",
    "share",
    "withdraw",
    "queue",
    "approve",
    "deny",
    "stats",
    "shadow",
    "forget",
    "config",
)
# Each command's one-line help in English; help answers in the community's language.
COMMANDS = {name: MESSAGES[f"help.{name}"] for name in _NAMES}


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
        lines = [self.answers.say(f"help.{name}") for name in COMMANDS]
        text = self.answers.say("help.header") + "\n" + "\n".join(lines)
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
            self.answers.reject(repo, ev, now, out, self.answers.say("refusal.usage.shadow"))
            return
        on = arg == "on"
        was = self.communities.shadow(ev.community)
        await repo.row.set_shadow_mode(on)
        await repo.settings.record("shadow_mode", was, on, ev.member, now)
        self.communities.set_shadow(ev.community, on)
        text = self.answers.say("reply.shadow_on" if on else "reply.shadow_off")
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
            self.answers.reject(repo, ev, now, out, self.answers.say("refusal.usage.forget"))
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
            text=self.answers.say("reply.forgotten", member=member, records=removed),
            forgotten=member,
            records=removed,
            channel=ev.channel,
            event=ev.event_id,
        )
        self.answers.emit(repo, forgotten, out)

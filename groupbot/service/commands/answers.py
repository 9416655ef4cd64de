"""How every command answers: privately to the member who gave it, where it was given."""

from __future__ import annotations

from datetime import datetime

from groupbot.core.actions import Action, CommandRejected, CommandReply
from groupbot.core.events import CommandIssued
from groupbot.core.i18n import say
from groupbot.core.owners import is_owner
from groupbot.core.rulebook import Rulebook
from groupbot.service.members import Members
from groupbot.service.recorder import Recorder
from groupbot.storage.repositories import CommunityRepositories

__all__ = ["Answers"]


class Answers:
    """Replies, refusals and the rights check shared by every command."""

    def __init__(self, rulebook: Rulebook, recorder: Recorder, members: Members) -> None:
        self.rulebook = rulebook
        self.recorder = recorder
        self.members = members

    @property
    def language(self) -> str:
        """The language of the community whose settings are in force."""
        return self.rulebook.community.language

    def say(self, key: str, **values: object) -> str:
        """One of the bot's texts in the community's language."""
        return say(self.language, key, **values)

    def owners_only(self, what: str) -> str:
        """The refusal for a member without rights; what is a refusal.what.* key's last part."""
        return self.say("refusal.owners_only", what=self.say(f"refusal.what.{what}"))

    def emit(self, repo: CommunityRepositories, action: Action, out: list[Action]) -> None:
        """Record an answer (or any other action a command causes)."""
        self.recorder.emit(repo, action, out)

    def reject(
        self,
        repo: CommunityRepositories,
        ev: CommandIssued,
        now: datetime,
        out: list[Action],
        reason: str,
    ) -> None:
        """Refuse the command, saying why."""
        refusal = CommandRejected(
            at=now,
            community=ev.community,
            member=ev.member,
            name=ev.name,
            reason=reason,
            text=reason,
            channel=ev.channel,
            event=ev.event_id,
        )
        self.recorder.emit(repo, refusal, out)

    def reply(
        self,
        repo: CommunityRepositories,
        ev: CommandIssued,
        now: datetime,
        out: list[Action],
        text: str,
        request: int | None = None,
    ) -> None:
        """A plain answer."""
        answer = CommandReply(
            at=now,
            community=ev.community,
            member=ev.member,
            name=ev.name,
            text=text,
            request=request,
            channel=ev.channel,
            event=ev.event_id,
        )
        self.recorder.emit(repo, answer, out)

    async def is_owner(self, repo: CommunityRepositories, ev: CommandIssued, now: datetime) -> bool:
        """Whether the member holds owner rights (roles as the platform reports them now)."""
        roles = ev.roles
        if roles is None:  # only where the platform did not say (replay, console)
            roles = (await self.members.get(repo, ev.member, now)).roles
        return is_owner(self.rulebook, ev.member, frozenset(r.lower() for r in roles))

    async def owner_or_refuse(
        self,
        repo: CommunityRepositories,
        ev: CommandIssued,
        now: datetime,
        out: list[Action],
        what: str,
    ) -> bool:
        # what names the right in the catalogs: refusal.what.<what>
        """True for an owner; anyone else is refused, told who may do it."""
        if await self.is_owner(repo, ev, now):
            return True
        self.reject(repo, ev, now, out, self.owners_only(what))
        return False

"""The welcomer: a personal welcome for every newcomer, one channel post for bursts of joins."""

from __future__ import annotations

from datetime import datetime

from groupbot.core.actions import Action, ShadowDecision, Welcome
from groupbot.core.events import MemberJoined
from groupbot.core.rulebook import Rulebook
from groupbot.core.state import MemberState
from groupbot.core.texts import batch_welcome_text, welcome_text
from groupbot.core.welcome import BURST_WINDOW, WelcomePacer
from groupbot.service.communities import Communities
from groupbot.service.recorder import Recorder
from groupbot.service.timers import TimerKind, TimerQueue
from groupbot.service.transactions import Transactions
from groupbot.storage.repositories import CommunityRepositories

__all__ = ["Welcomer"]


class Welcomer:
    """Greets newcomers: DMs (or channel posts) paced per minute, the overflow batched."""

    def __init__(
        self,
        rulebook: Rulebook,
        recorder: Recorder,
        communities: Communities,
        transactions: Transactions,
        timers: TimerQueue,
        platform: str,
    ) -> None:
        self.rulebook = rulebook
        self.recorder = recorder
        self.communities = communities
        self.transactions = transactions
        self.timers = timers
        self.platform = platform
        self._pacers: dict[str, WelcomePacer] = {}
        self._batch_due: dict[str, datetime] = {}

    def restart(self, timers: TimerQueue, batches: dict[str, datetime]) -> None:
        """Rebuild the pending batched welcomes as the database has them."""
        self.timers = timers
        self._batch_due = dict(batches)
        for community, due in batches.items():
            timers.add(due, TimerKind.WELCOME_BATCH, community)

    def pending_batches(self) -> list[str]:
        """Communities with a batched welcome waiting, in order."""
        return sorted(self._batch_due)

    def batch_due(self, community: str) -> datetime | None:
        """When the community's pending batched welcome is due, if one is pending."""
        return self._batch_due.get(community)

    def joined(
        self, repo: CommunityRepositories, ev: MemberJoined, state: MemberState, now: datetime
    ) -> list[Action]:
        """Greet one newcomer now, or add them to the next batched welcome."""
        out: list[Action] = []
        welcome = self.rulebook.welcome
        if not welcome.enabled:
            return out
        c = ev.community
        if self.communities.shadow(c):
            shadow = ShadowDecision(at=now, community=c, member=ev.member, would=("welcome",))
            self.recorder.emit(repo, shadow, out)
            return out
        pacer = self._pacers.setdefault(c, WelcomePacer())
        if c not in self._batch_due and pacer.allow(now, welcome.dm_per_minute):
            via = welcome.resolved_mode(self.platform)
            text = welcome_text(
                self.rulebook, self.communities.display_name(c), state.display_name()
            )
            channel = self.rulebook.channels.welcome if via == "channel" else None
            greeting = Welcome(
                at=now, community=c, member=ev.member, text=text, via=via, channel=channel
            )
            self.recorder.emit(repo, greeting, out)
            return out
        due = self._batch_due.get(c)
        if due is None:
            due = self._batch_due[c] = now + BURST_WINDOW
            self.timers.add(due, TimerKind.WELCOME_BATCH, c)
        repo.welcomes.queue(ev.member, state.display_name(), due)
        return out

    async def batch(self, repo: CommunityRepositories, at: datetime) -> list[Action]:
        """One channel post greeting every newcomer waiting for a welcome."""
        await self.transactions.flush()
        self._batch_due.pop(repo.community, None)
        waiting = await repo.welcomes.take()
        out: list[Action] = []
        if not waiting:
            return out
        names = [name or member for member, name in waiting]
        shown = self.communities.display_name(repo.community)
        text = batch_welcome_text(self.rulebook, shown, names)
        channel = self.rulebook.channels.welcome
        members = tuple(m for m, _ in waiting)
        for n, member in enumerate(members):
            greeting = Welcome(
                at=at,
                community=repo.community,
                member=member,
                text=text,
                via="channel",
                channel=channel,
                batch=members,
            )
            # One post greets them all: only the first action is delivered.
            self.recorder.emit(repo, greeting, out, deliver=n == 0)
        return out

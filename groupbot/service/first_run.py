"""The guided first run: a new community starts in shadow mode; its installer is told how."""

from __future__ import annotations

import heapq
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.core.actions import Action, FirstRunGuide, format_time
from groupbot.core.events import Installed
from groupbot.core.i18n import say
from groupbot.core.rulebook import Rulebook
from groupbot.service.communities import Communities
from groupbot.service.recorder import Recorder
from groupbot.storage.repositories import (
    SHADOW_UNTIL,
    CommunityRepositories,
    community_keys,
    open_shadow_periods,
)
from groupbot.storage.unit import UnitOfWork

__all__ = ["BOT_AUTHOR", "FirstRun", "guide_text"]

log = logging.getLogger(__name__)

# Who the settings history names for the changes groupbot makes by itself.
BOT_AUTHOR = "groupbot"
RETRY = timedelta(minutes=1)  # a period that could not be ended is tried again this much later
# How often the open periods are read again: a replica that started one may be gone since.
REREAD = timedelta(minutes=10)


def guide_text(
    rulebook: Rulebook, install: Installed, community: str, until: datetime | None
) -> str:
    """What the installer is told: the channels found, the shadow period, how to change them."""
    language = rulebook.community.language
    lines = [say(language, "first_run.hello", community=community)]
    if install.intro:
        channels = ", ".join(f"#{c}" for c in install.intro)
        lines.append(say(language, "first_run.intro", channels=channels))
    else:
        wanted = ", ".join(f"#{c}" for c in rulebook.channels.intro) or "-"
        lines.append(say(language, "first_run.no_intro", wanted=wanted))
    wanted_mods = rulebook.channels.moderators
    if install.moderators:
        lines.append(say(language, "first_run.moderators", channel=f"#{install.moderators}"))
    elif wanted_mods:
        lines.append(say(language, "first_run.missing_moderators", channel=f"#{wanted_mods}"))
    else:
        lines.append(say(language, "first_run.no_moderators"))
    lines.append("")
    if until is not None:
        days = rulebook.first_run.shadow_days
        lines.append(say(language, "first_run.shadow", days=days, until=until.strftime("%Y-%m-%d")))
        lines.append(say(language, "first_run.watch"))
    else:
        lines.append(say(language, "first_run.live"))
    lines += ["", say(language, "first_run.commands")]
    return "\n".join(lines)


class FirstRun:
    """Starts each community once, ever; ends its shadow period unless an owner chose meanwhile.

    Each step is its own short transaction beside the bot's, so an installation never waits
    for a batch of events, nor they for it. Live bots only (their runner ticks it).
    """

    def __init__(
        self,
        db: AsyncEngine,
        recorder: Recorder,
        communities: Communities,
        wake: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.recorder = recorder
        self.communities = communities
        self.wake = wake  # something is owed: the outbox should look now
        self._ends: list[tuple[datetime, str]] = []  # a heap: when each known period ends
        self._queued: set[str] = set()  # the communities in it
        self._read_at: datetime | None = None  # when the open periods were last read

    @asynccontextmanager
    async def _unit(self, community: str) -> AsyncIterator[CommunityRepositories]:
        """One community's repositories in a transaction of their own, committed on exit."""
        try:
            async with self.db.connect() as conn, conn.begin():
                uow = UnitOfWork(conn)
                yield CommunityRepositories(uow, community)
                await uow.flush()
        except BaseException:
            self.communities.forget(community)  # what it put in force was never stored
            raise
        if uow.outbox_written and self.wake is not None:
            self.wake()

    async def unseen(self, communities: list[str]) -> list[str]:
        """Which of these communities the database has never seen (start-up first runs)."""
        async with self.db.connect() as conn:
            known = set(await community_keys(conn, communities))
        return [c for c in communities if c not in known]

    async def reserve(self, community: str, at: datetime) -> bool:
        """Claim a community's first run before slow lookups; True for the one caller that did.

        The community's row is what says "seen": an event handled while the platform is asked
        who installed the bot would otherwise create it first, and the first run never happen.
        """
        async with self._unit(community) as repo:
            return await repo.row.claim(at)

    async def installed(self, install: Installed, *, reserved: bool = False) -> list[Action]:
        """The first run of a community the database never saw; nothing for one it did.

        Once holds across replicas and restarts: only the transaction that creates the
        community's row starts it (or, `reserved`, the caller whose `reserve` created it).
        """
        async with self._unit(install.community) as repo:
            if not reserved and not await repo.row.claim(install.at):
                return []
            await self.communities.ensure(repo, install.at)
            out, until = await self._start(repo, install)
        if until is not None:  # only once committed: a tick before then would find no period
            self._expect(until, install.community)
        return out

    async def _start(
        self, repo: CommunityRepositories, install: Installed
    ) -> tuple[list[Action], datetime | None]:
        """Shadow mode on for `first_run.shadow_days` (by the bot, in the history), and the DM."""
        c, now = repo.community, install.at
        if install.name:
            self.communities.names.setdefault(c, install.name)
        rulebook = self.communities.rulebook_of(c)
        days = rulebook.first_run.shadow_days
        until = None
        if days and not rulebook.shadow_mode:
            until = now + timedelta(days=days)
            await self._switch(repo, True, now)
            # Recorded after the switch: a later shadow_mode row (owner or bot) closes it.
            await repo.settings.record(SHADOW_UNTIL, None, until.isoformat(), BOT_AUTHOR, now)
        name = rulebook.community.name or self.communities.display_name(c)
        guide = FirstRunGuide(
            at=now,
            community=c,
            member=install.installer,
            intro=install.intro,
            moderators=install.moderators,
            shadow_until=None if until is None else format_time(until),
            text=guide_text(rulebook, install, name, until),
        )
        out: list[Action] = []
        self.recorder.emit(repo, guide, out)
        return out, until

    async def _switch(self, repo: CommunityRepositories, on: bool | None, now: datetime) -> None:
        """Shadow mode on, or back to the defaults (None), as the bot: in force and in history."""
        c = repo.community
        was = self.communities.shadow(c)
        await repo.row.set_shadow_mode(on)
        await repo.settings.record("shadow_mode", was, on, BOT_AUTHOR, now)
        rest = {k: v for k, v in self.communities.overrides_of(c).items() if k != "shadow_mode"}
        self.communities.changed(c, rest if on is None else {**rest, "shadow_mode": on})

    def _expect(self, until: datetime, community: str) -> None:
        """Look at a community's period when it is due (once, however often it is heard of)."""
        if community not in self._queued:
            self._queued.add(community)
            heapq.heappush(self._ends, (until, community))

    async def tick(self, now: datetime) -> None:
        """End every shadow period due by now, those other replicas started included."""
        if self._read_at is None or now - self._read_at >= REREAD:
            async with self.db.connect() as conn:
                for community, until in (await open_shadow_periods(conn)).items():
                    self._expect(until, community)
            self._read_at = now
        while self._ends and self._ends[0][0] <= now:
            community = self._ends[0][1]
            try:
                await self.end(community, now)
            except Exception:  # the database away, most likely: this one again a bit later
                log.exception("community %s: shadow period not ended yet", community)
                heapq.heapreplace(self._ends, (now + RETRY, community))
                continue
            heapq.heappop(self._ends)
            self._queued.discard(community)

    async def end(self, community: str, now: datetime) -> bool:
        """Shadow mode back to the defaults if the period is over and no owner chose meanwhile."""
        async with self._unit(community) as repo:
            await repo.row.lock()  # replicas ending the same period: one does, the others see it
            until = await repo.settings.shadow_period()
            if until is None or now < until:  # ended, an owner switched (theirs stands), or later
                return False
            await self.communities.ensure(repo, now)
            await self._switch(repo, None, now)
            log.info("community %s: first-run shadow period over", community)
            return True

"""The guided first run: a new community starts in shadow mode; its installer is told how."""

from __future__ import annotations

from datetime import datetime, timedelta

from groupbot.core.actions import Action, FirstRunGuide, format_time
from groupbot.core.events import Installed
from groupbot.core.i18n import say
from groupbot.core.rulebook import Rulebook
from groupbot.service.communities import Communities
from groupbot.service.recorder import Recorder
from groupbot.service.timers import TimerKind, TimerQueue
from groupbot.storage.repositories import SHADOW_UNTIL, CommunityRepositories

__all__ = ["BOT_AUTHOR", "FirstRun", "guide_text"]

# Who the settings history names for the changes groupbot makes by itself.
BOT_AUTHOR = "groupbot"


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
    else:
        lines.append(say(language, "first_run.live"))
    lines += ["", say(language, "first_run.commands")]
    return "\n".join(lines)


class FirstRun:
    """Starts a community once, ever; ends its shadow period unless an owner chose meanwhile."""

    def __init__(self, recorder: Recorder, communities: Communities, timers: TimerQueue) -> None:
        self.recorder = recorder
        self.communities = communities
        self.timers = timers

    async def start(
        self, repo: CommunityRepositories, install: Installed, now: datetime
    ) -> list[Action]:
        """Shadow mode on for `first_run.shadow_days` (by the bot, in the history), and the DM.

        Call it only for a community whose row this transaction created: that is the once.
        """
        c = repo.community
        if install.name:
            self.communities.names.setdefault(c, install.name)
        rulebook = self.communities.rulebook_of(c)
        days = rulebook.first_run.shadow_days
        until = None
        if days and not rulebook.shadow_mode:
            until = now + timedelta(days=days)
            await self.communities.save(repo, {"shadow_mode": True}, BOT_AUTHOR, now)
            # Recorded after the switch: a later shadow_mode row (owner or bot) closes it.
            await repo.settings.record(SHADOW_UNTIL, None, until.isoformat(), BOT_AUTHOR, now)
            self.timers.add(until, TimerKind.SHADOW_END, c)
        guide = FirstRunGuide(
            at=now,
            community=c,
            member=install.installer,
            intro=install.intro,
            moderators=install.moderators,
            shadow_until=None if until is None else format_time(until),
            text=guide_text(rulebook, install, self._name(rulebook, c), until),
        )
        out: list[Action] = []
        self.recorder.emit(repo, guide, out)
        return out

    def _name(self, rulebook: Rulebook, community: str) -> str:
        """The community's name in texts: the rulebook's, else the platform's."""
        return rulebook.community.name or self.communities.display_name(community)

    async def end(self, repo: CommunityRepositories, now: datetime) -> None:
        """Shadow mode back to the defaults once the period is over, unless an owner chose."""
        await repo.row.lock()  # replicas firing the same timer: one ends it, the others see it
        until = await repo.settings.shadow_period()
        if until is None:  # ended already, or an owner switched shadow mode: theirs stands
            return
        if now < until:  # another process's clock: look again then
            self.timers.add(until, TimerKind.SHADOW_END, repo.community)
            return
        await self.communities.save(repo, {"shadow_mode": None}, BOT_AUTHOR, now)

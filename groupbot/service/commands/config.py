"""The `config` command: a community's owners and moderators see and change its settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from groupbot.core.actions import Action, ConfigChanged, ConfigShown
from groupbot.core.events import CommandIssued
from groupbot.core.overrides import (
    KEYS,
    SettingError,
    check_key,
    effective_value,
    parse_setting,
    show_value,
)
from groupbot.core.rulebook.writer import toml_value
from groupbot.service.commands.answers import Answers
from groupbot.service.communities import Communities
from groupbot.storage.repositories import CommunityRepositories

__all__ = ["USAGE", "ConfigCommands", "describe_change", "settings_summary"]

USAGE = "Usage: config show [KEY] | config set KEY VALUE... | config reset KEY | config history"
SUMMARY_CHARS = 40
# What a summary always shows: the settings owners change most (the rest when set here).
MAIN_KEYS = frozenset(
    {
        "shadow_mode",
        "community.name",
        "channels.intro",
        "channels.promotion",
        "channels.welcome",
        "channels.moderators",
        "welcome.enabled",
        "welcome.mode",
        "welcome.text",
        "detection.threshold",
        "notes.escalate_after",
        "approvals.on_approve",
        "rules.promote_before_introduce.enabled",
        "rules.self_promo_ratio.enabled",
        "rules.self_promo_ratio.max_share",
        "rules.invite_link.enabled",
        "rules.link_flood.enabled",
        "rules.link_flood.max_links",
        "rules.cross_post.enabled",
    }
)
HISTORY = 20


def settings_summary(title: str, values: dict[str, Any], overridden: set[str]) -> str:
    """The main settings and every one the community set itself, marked with '*'."""
    keys = [k for k in KEYS if k in MAIN_KEYS or k in overridden]
    lines = [f"{title} (* = set for this community):"]
    for key in keys:
        mark = "*" if key in overridden else " "
        lines.append(f"{mark} {key} = {show_value(values[key], SUMMARY_CHARS)}")
    rest = len(KEYS) - len(keys)
    lines.append(f"{rest} more at their defaults: config show KEY (keys as in docs/rulebook.md)")
    return "\n".join(lines)


def describe_change(key: str, old: Any, new: Any) -> str:
    """'key: old -> new', 'reset' where the community's own value was removed."""
    before = "default" if old is None else show_value(old, SUMMARY_CHARS)
    after = "reset to the default" if new is None else show_value(new, SUMMARY_CHARS)
    return f"{key}: {before} -> {after}"


class ConfigCommands:
    """`config show|set|reset|history`, owners and moderators only."""

    def __init__(self, answers: Answers, communities: Communities) -> None:
        self.answers = answers
        self.communities = communities

    async def config(
        self, repo: CommunityRepositories, ev: CommandIssued, now: datetime, out: list[Action]
    ) -> None:
        """Dispatch a `config` subcommand after the rights check."""
        if not await self.answers.owner_or_refuse(repo, ev, now, out, "settings"):
            return
        sub = ev.args[0].strip().lower() if ev.args else "show"
        rest = [a for a in ev.args[1:] if a.strip()]
        try:
            if sub == "show" and len(rest) <= 1:
                self._show(repo, ev, now, out, rest[0] if rest else None)
            elif sub == "set" and len(rest) >= 2:
                await self._set(repo, ev, now, out, rest[0], " ".join(rest[1:]))
            elif sub == "reset" and len(rest) == 1:
                await self._set(repo, ev, now, out, rest[0], None)
            elif sub == "history" and not rest:
                await self._history(repo, ev, now, out)
            else:
                self.answers.reject(repo, ev, now, out, USAGE)
        except SettingError as exc:
            self.answers.reject(repo, ev, now, out, f"Cannot change {exc}")

    def _show(
        self,
        repo: CommunityRepositories,
        ev: CommandIssued,
        now: datetime,
        out: list[Action],
        key: str | None,
    ) -> None:
        """`config show [KEY]`: one setting in force, or all of them."""
        c = ev.community
        rulebook = self.communities.rulebook_of(c)
        own = self.communities.overrides_of(c)
        if key is None:
            values = {k: effective_value(rulebook, k) for k in KEYS}
            text = settings_summary(
                f"Settings of {self.communities.display_name(c)}", values, set(own)
            )
        else:
            key = check_key(key)
            value = effective_value(rulebook, key)
            where = "set for this community" if key in own else "the deployment's default"
            text = f"{key} = {toml_value(value)}\n({where})"
        shown = ConfigShown(
            at=now,
            community=c,
            member=ev.member,
            name=ev.name,
            key=key,
            text=text,
            channel=ev.channel,
            event=ev.event_id,
        )
        self.answers.emit(repo, shown, out)

    async def _set(
        self,
        repo: CommunityRepositories,
        ev: CommandIssued,
        now: datetime,
        out: list[Action],
        key: str,
        typed: str | None,
    ) -> None:
        """`config set KEY VALUE...`, or with no value `config reset KEY`."""
        c = ev.community
        key = check_key(key)
        value = None if typed is None else parse_setting(key, typed)
        saved = await self.communities.save(repo, {key: value}, ev.member, now)
        previous, value = saved[key]
        now_shown, was = show_value(value, SUMMARY_CHARS), show_value(previous, SUMMARY_CHARS)
        if typed is None:
            text = f"{key} is back to the default: {now_shown} (was {was})"
        else:
            text = f"{key} is now {now_shown} (was {was})"
        changed = ConfigChanged(
            at=now,
            community=c,
            member=ev.member,
            name=ev.name,
            key=key,
            value=value,
            previous=previous,
            reset=typed is None,
            text=text,
            channel=ev.channel,
            event=ev.event_id,
        )
        self.answers.emit(repo, changed, out)

    async def _history(
        self, repo: CommunityRepositories, ev: CommandIssued, now: datetime, out: list[Action]
    ) -> None:
        """`config history`: the most recent changes, who made them and when."""
        changes = await repo.settings.history(HISTORY)
        if not changes:
            text = "No settings have been changed here yet."
        else:
            lines = ["Recent settings changes (newest first):"]
            for ch in changes:
                when = ch.at.strftime("%Y-%m-%d %H:%M UTC")
                lines.append(f"{when} {ch.member}: {describe_change(ch.key, ch.old, ch.new)}")
            text = "\n".join(lines)
        self.answers.reply(repo, ev, now, out, text)

"""Slack payloads into core events, at the edge: ids to names, roles from the server."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from groupbot.adapters.slack.directory import Directory
from groupbot.core.clean import clean_event
from groupbot.core.events import CommandIssued, MemberJoined, MessageEdited, MessagePosted
from groupbot.core.mentions import mentioned_members
from groupbot.core.rulebook import Rulebook, normalize_channel
from groupbot.service.settings_reader import SettingsOf

__all__ = ["Translator", "command_args", "slack_time"]

# Message subtypes that are a member speaking; every other subtype is the system or a bot.
SPOKEN = frozenset({"", "file_share", "thread_broadcast", "me_message"})
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
MAX_TEXT = 40_000  # Slack's own message limit; anything longer is not a real message


def slack_time(value: Any) -> datetime:
    """A Slack timestamp ("1700000000.000100") as an aware datetime; now if absent."""
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(UTC)


def command_args(text: str) -> tuple[str, ...]:
    """Words of a command with Slack's escapes undone: <@U1|ann> -> U1, <#C1|general> -> general."""
    text = MENTION.sub(lambda m: m.group(1), text)
    text = CHANNEL.sub(lambda m: m.group(2) or m.group(1), text)
    return tuple(text.split())


class Translator:
    """Turns Events API and interaction payloads into the engine's events (or None to ignore)."""

    def __init__(
        self, directory: Directory, rulebook: Rulebook, settings: SettingsOf | None = None
    ) -> None:
        self.directory = directory
        self.rulebook = rulebook
        self.settings = settings  # a team's own settings; None: the rulebook for every team
        self._join_channels: dict[Rulebook, frozenset[str]] = {}

    async def join_channels(self, team: str) -> frozenset[str]:
        """The channels whose joins count as arriving in this team: welcome and intro."""
        rulebook = self.rulebook if self.settings is None else await self.settings(team)
        found = self._join_channels.get(rulebook)
        if found is None:
            if len(self._join_channels) >= 256:
                self._join_channels.clear()
            channels = rulebook.channels
            found = frozenset(normalize_channel(c) for c in (channels.welcome, *channels.intro))
            self._join_channels[rulebook] = found
        return found

    async def message(
        self, team: str, event_id: str, event: dict[str, Any], bot_user: str | None
    ) -> MessagePosted | MessageEdited | None:
        """A member's post or edit in a channel; bots, DMs and system messages are ignored."""
        if event.get("channel_type") in ("im", "mpim") or not event.get("channel"):
            return None
        subtype = str(event.get("subtype") or "")
        edited = subtype == "message_changed"
        body: dict[str, Any] = (event.get("message") or {}) if edited else event
        if not edited and subtype not in SPOKEN:
            return None
        user = body.get("user")
        text = body.get("text")
        if not isinstance(user, str) or not isinstance(text, str) or not body.get("ts"):
            return None
        if body.get("bot_id") or body.get("subtype") == "bot_message" or user == bot_user:
            return None
        if edited and (event.get("previous_message") or {}).get("text") == text:
            return None  # an unfurl or attachment change, not the member's edit
        info = await self.directory.user(team, user)
        if info.is_bot:
            return None
        channel = await self.directory.channel_name(team, str(event["channel"]))
        kind = MessageEdited if edited else MessagePosted
        parent = body.get("thread_ts")
        # A thread reply answers the thread's start; the start itself is an ordinary post.
        thread = str(parent) if parent and str(parent) != str(body["ts"]) else None
        return clean_event(
            kind(
                community=team,
                member=user,
                at=slack_time(event.get("event_ts") or body.get("ts")),
                event_id=event_id,
                channel=channel,
                message=str(body["ts"]),
                text=text[:MAX_TEXT],
                name=info.name,
                roles=info.roles,
                reply_to=thread,
                thread=thread,
                mentions=mentioned_members(text[:MAX_TEXT]),
            )
        )

    async def team_join(
        self, team: str, event: dict[str, Any], sent: Any = None
    ) -> MemberJoined | None:
        """A new member of the workspace, unless a bot or only invited (not joined yet)."""
        user = event.get("user")
        if not isinstance(user, dict) or not isinstance(user.get("id"), str):
            return None
        info = await self.directory.seed_user(team, user)
        skip = bool(info.is_bot or info.invited)
        return self._joined(
            team, info.id, info.name, info.roles, skip, event.get("event_ts") or sent
        )

    async def channel_join(
        self, team: str, event: dict[str, Any], bot_user: str | None, sent: Any = None
    ) -> MemberJoined | None:
        """Joining the welcome or an intro channel counts as arriving (once per member)."""
        user, channel = event.get("user"), event.get("channel")
        if not isinstance(user, str) or not isinstance(channel, str) or user == bot_user:
            return None
        name = await self.directory.channel_name(team, channel)
        if name not in await self.join_channels(team):
            return None
        info = await self.directory.user(team, user)
        skip = info.is_bot or info.invited or info.deleted
        return self._joined(team, user, info.name, info.roles, skip, event.get("event_ts") or sent)

    def _joined(
        self, team: str, user: str, name: str, roles: frozenset[str], skip: bool, sent: Any
    ) -> MemberJoined | None:
        if skip:
            return None
        return clean_event(
            MemberJoined(
                community=team,
                member=user,
                at=slack_time(sent),  # when Slack saw it (a retry keeps it), else now
                # One welcome per member, whichever event came first.
                event_id=f"join:{team}:{user}",
                name=name,
                roles=roles,
            )
        )

    async def command(
        self,
        team: str,
        user: str,
        event_id: str,
        name: str,
        args: tuple[str, ...],
        channel: str | None,
    ) -> CommandIssued:
        """A command with the member's roles read from Slack, never from the payload."""
        info = await self.directory.user(team, user)
        where = await self.directory.channel_name(team, channel) if channel else None
        return clean_event(
            CommandIssued(
                community=team,
                member=user,
                at=datetime.now(UTC),
                event_id=event_id,
                name=name,
                args=args,
                channel=where,
                display_name=info.name,
                roles=info.roles,
            )
        )

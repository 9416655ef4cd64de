"""Platform-neutral events that adapters translate Slack and Discord payloads into."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "CommandIssued",
    "Event",
    "Installed",
    "MemberJoined",
    "MessageEdited",
    "MessagePosted",
    "Post",
]


@dataclass(frozen=True, slots=True)
class MemberJoined:
    """A member joined the community."""

    community: str
    member: str
    at: datetime
    event_id: str
    name: str = ""
    roles: frozenset[str] | None = None  # the platform's word; None when it did not say


@dataclass(frozen=True, slots=True)
class Post:
    """What a posted or edited message carries (use MessagePosted or MessageEdited)."""

    community: str
    member: str
    at: datetime
    event_id: str
    channel: str
    message: str
    text: str
    name: str = ""
    roles: frozenset[str] | None = None  # the platform's word; None when it did not say
    reply_to: str | None = None  # the message it answers (a reply), when the platform says
    thread: str | None = None  # the thread it is posted in, when not the thread's start
    mentions: tuple[str, ...] = ()  # members it mentions through the platform


@dataclass(frozen=True, slots=True)
class MessagePosted(Post):
    """A member posted a message in a channel."""


@dataclass(frozen=True, slots=True)
class MessageEdited(Post):
    """A member edited a message they had posted."""


@dataclass(frozen=True, slots=True)
class CommandIssued:
    """A member ran one of the bot's commands (slash command, button, console)."""

    community: str
    member: str
    at: datetime
    event_id: str
    name: str
    args: tuple[str, ...] = ()
    channel: str | None = None
    display_name: str = ""
    roles: frozenset[str] | None = None  # the platform's word; None when it did not say


Event = MemberJoined | MessagePosted | MessageEdited | CommandIssued


@dataclass(frozen=True, slots=True)
class Installed:
    """groupbot was installed in a community (or first started in one it never saw)."""

    community: str
    installer: str  # who is told how groupbot starts (a DM)
    at: datetime
    intro: tuple[str, ...] = ()  # the intro channels the platform has, by name
    moderators: str | None = None  # the moderators' channel, if the platform has it
    name: str = ""  # the community's display name, when the platform said

"""Platform-neutral events that adapters translate Slack and Discord payloads into."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["CommandIssued", "Event", "MemberJoined", "MessageEdited", "MessagePosted"]


@dataclass(frozen=True, slots=True)
class MemberJoined:
    """A member joined the community."""

    community: str
    member: str
    at: datetime
    event_id: str
    name: str = ""
    roles: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class MessagePosted:
    """A member posted a message in a channel."""

    community: str
    member: str
    at: datetime
    event_id: str
    channel: str
    message: str
    text: str
    name: str = ""
    roles: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class MessageEdited:
    """A member edited a message they had posted."""

    community: str
    member: str
    at: datetime
    event_id: str
    channel: str
    message: str
    text: str
    name: str = ""
    roles: frozenset[str] = field(default_factory=frozenset)


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
    roles: frozenset[str] = field(default_factory=frozenset)


Event = MemberJoined | MessagePosted | MessageEdited | CommandIssued

"""The port each platform adapter implements: five typed ways actions reach people."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from groupbot.core.actions import (
    CommandAnswer,
    EtiquetteNote,
    FirstRunGuide,
    Hold,
    OwnerNotice,
    Published,
    RequestApproved,
    RequestDenied,
    RequestExpired,
    Welcome,
)

__all__ = [
    "Capabilities",
    "ChannelPost",
    "DeliveryError",
    "Direct",
    "Platform",
    "Whispered",
]

# A private message to one member.
Direct = (
    Welcome
    | EtiquetteNote
    | RequestApproved
    | RequestDenied
    | RequestExpired
    | CommandAnswer
    | FirstRunGuide
)
# A message only one member sees, inside a channel (Slack's ephemeral, a Discord interaction).
Whispered = EtiquetteNote | CommandAnswer
# A message in a channel for everyone.
ChannelPost = Welcome | Published


class DeliveryError(Exception):
    """A delivery failed; `retry` says whether trying again may help."""

    def __init__(self, message: str, *, retry: bool = True, retry_after: float | None = None):
        super().__init__(message)
        self.retry = retry
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a platform can do beyond the five methods' common ground."""

    # It can show one member a message inside a channel: command answers go there first, and
    # an etiquette note whose DM cannot be delivered goes there instead.
    whisper: bool = False


class Platform(Protocol):
    """Slack, Discord, the console or a test fake: five ways to reach people."""

    @property
    def capabilities(self) -> Capabilities:
        """What this platform can do (see Capabilities)."""
        ...

    async def send_direct(self, message: Direct) -> None:
        """Send a private message to the member it is for."""

    async def whisper(self, message: Whispered) -> None:
        """Show a member a message only they see, in the channel it belongs to."""

    async def post(self, message: ChannelPost) -> None:
        """Post a message in a channel (a welcome, an approved post)."""

    async def remove(self, hold: Hold) -> None:
        """Remove a held post (or ask its author to, where the bot cannot)."""

    async def notify_owners(self, notice: OwnerNotice) -> None:
        """Tell the owners about a request, a reminder, an alert or a decision."""

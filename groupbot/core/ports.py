"""The port each platform adapter implements: how actions reach people."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

__all__ = ["DeliversActions", "DeliveryError", "Platform"]


class DeliveryError(Exception):
    """A delivery failed; `retry` says whether trying again may help."""

    def __init__(self, message: str, *, retry: bool = True, retry_after: float | None = None):
        super().__init__(message)
        self.retry = retry
        self.retry_after = retry_after


class Platform(Protocol):
    """Slack, Discord, the console or a test fake: five ways to reach people."""

    async def send_direct(self, community: str, member: str, text: str) -> None:
        """Send a private message to a member."""

    async def post(self, community: str, channel: str, text: str) -> None:
        """Post a message in a channel."""

    async def remove(self, community: str, channel: str, message: str, member: str) -> None:
        """Remove a held post (or ask its author to, where the bot cannot)."""

    async def notify_owners(self, community: str, payload: dict[str, Any]) -> None:
        """Tell the owners about a request, a reminder, an alert or a decision."""

    async def reply(self, community: str, member: str, text: str) -> None:
        """Answer a command privately (ephemeral where the platform has it)."""


@runtime_checkable
class DeliversActions(Protocol):
    """Optional: a platform that delivers some actions itself, seeing their whole payload."""

    async def deliver_action(self, community: str, action: str, payload: dict[str, Any]) -> bool:
        """Deliver one action; return False to leave it to the five port methods."""

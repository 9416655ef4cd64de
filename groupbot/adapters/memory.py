"""An in-memory platform: what the console, the demo and the tests deliver to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Delivery", "MemoryPlatform"]


@dataclass(frozen=True, slots=True)
class Delivery:
    """One thing the bot delivered: how, where, to whom, and what."""

    kind: str
    community: str
    target: str
    text: str
    payload: dict[str, Any] = field(default_factory=dict)


class MemoryPlatform:
    """Records every delivery in order; can be told to fail for a member (no DMs)."""

    def __init__(self, *, keep: bool = True) -> None:
        self.deliveries: list[Delivery] = []
        self.refuse_dm: set[str] = set()
        self.keep = keep  # False: only count (replay delivers everything and keeps nothing)
        self.delivered = 0

    def _record(self, delivery: Delivery) -> None:
        self.delivered += 1
        if self.keep:
            self.deliveries.append(delivery)

    async def send_direct(self, community: str, member: str, text: str) -> None:
        """Record a DM, or fail the way a platform does when DMs are closed."""
        if member in self.refuse_dm:
            from groupbot.core.ports import DeliveryError

            raise DeliveryError(f"{member} does not accept direct messages", retry=False)
        self._record(Delivery("dm", community, member, text))

    async def post(self, community: str, channel: str, text: str) -> None:
        """Record a channel post."""
        self._record(Delivery("post", community, channel, text))

    async def remove(self, community: str, channel: str, message: str, member: str) -> None:
        """Record a removal."""
        self._record(Delivery("remove", community, channel, message))

    async def notify_owners(self, community: str, payload: dict[str, Any]) -> None:
        """Record an owners' notification."""
        text = str(payload.get("text", ""))
        self._record(Delivery("owners", community, "owners", text, payload))

    async def reply(self, community: str, member: str, text: str) -> None:
        """Record a private command reply."""
        self._record(Delivery("reply", community, member, text))

"""An in-memory platform: what the console, the demo, replay and the tests deliver to."""

from __future__ import annotations

from dataclasses import dataclass

from groupbot.core.actions import Action, EtiquetteNote, Hold, OwnerNotice
from groupbot.core.ports import Capabilities, ChannelPost, DeliveryError, Direct, Whispered

__all__ = ["Delivery", "MemoryPlatform"]


@dataclass(frozen=True, slots=True)
class Delivery:
    """One thing the bot delivered: how, where, to whom, what, and the action behind it."""

    kind: str
    community: str
    target: str
    text: str
    action: Action | None = None


class MemoryPlatform:
    """Records every delivery in order; can be told to fail for a member (no DMs)."""

    def __init__(self, *, keep: bool = True) -> None:
        self.deliveries: list[Delivery] = []
        self.refuse_dm: set[str] = set()
        self.keep = keep  # False: only count (replay delivers everything and keeps nothing)
        self.delivered = 0

    @property
    def capabilities(self) -> Capabilities:
        """Command answers are shown in place, as an ephemeral answer would be."""
        return Capabilities(whisper=True)

    def _record(self, delivery: Delivery) -> None:
        self.delivered += 1
        if self.keep:
            self.deliveries.append(delivery)

    async def send_direct(self, message: Direct) -> None:
        """Record a DM, or fail the way a platform does when DMs are closed."""
        if message.member in self.refuse_dm:
            raise DeliveryError(f"{message.member} does not accept direct messages", retry=False)
        self._record(Delivery("dm", message.community, message.member, message.text, message))

    async def whisper(self, message: Whispered) -> None:
        """Record a private answer shown in place; notes are never whispered here."""
        if isinstance(message, EtiquetteNote):
            raise DeliveryError("notes are only ever DMs here", retry=False)
        self._record(Delivery("reply", message.community, message.member, message.text, message))

    async def post(self, message: ChannelPost) -> None:
        """Record a channel post."""
        self._record(
            Delivery("post", message.community, message.channel or "", message.text, message)
        )

    async def remove(self, hold: Hold) -> None:
        """Record a removal."""
        self._record(Delivery("remove", hold.community, hold.channel, hold.message, hold))

    async def notify_owners(self, notice: OwnerNotice) -> None:
        """Record an owners' notification."""
        text = getattr(notice, "text", "")
        self._record(Delivery("owners", notice.community, "owners", text, notice))

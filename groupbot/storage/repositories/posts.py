"""Posts of one community: bookkeeping for the rolling windows, never their text."""

from __future__ import annotations

from datetime import datetime

from groupbot.storage.models import Post, table
from groupbot.storage.unit import UnitOfWork

__all__ = ["Posts"]


class Posts:
    """One community's post records."""

    def __init__(self, uow: UnitOfWork, community: str) -> None:
        self.uow = uow
        self.community = community

    def add(self, member: str, message: str, channel: str, at: datetime, promotional: bool) -> None:
        """Record a post for the rolling windows (no text)."""
        self.uow.buffer(
            table(Post),
            {
                "community": self.community,
                "member": member,
                "message": message,
                "channel": channel,
                "at": at,
                "promotional": promotional,
            },
        )

"""Posts of one community: bookkeeping for the rolling windows, never their text."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from groupbot.storage.models import Post, table
from groupbot.storage.unit import UnitOfWork

__all__ = ["Posts"]

_POSTS = table(Post)
_KEYS = ("community", "member", "message", "channel", "at", "promotional")  # one row per post


class Posts:
    """One community's post records."""

    def __init__(self, uow: UnitOfWork, community: str) -> None:
        self.uow = uow
        self.community = community

    async def known(self, messages: Sequence[str]) -> set[str]:
        """Which of these message ids are recorded already (flushed)."""
        found: set[str] = set()
        posts = table(Post)
        for start in range(0, len(messages), 500):  # within SQLite's bound-variable limit
            rows = await self.uow.connection.scalars(
                select(posts.c.message).where(
                    posts.c.community == self.community,
                    posts.c.message.in_(messages[start : start + 500]),
                )
            )
            found.update(rows)
        return found

    def add(self, member: str, message: str, channel: str, at: datetime, promotional: bool) -> None:
        """Record a post for the rolling windows (no text)."""
        row = (self.community, member, message, channel, at, promotional)
        self.uow.buffer_values(_POSTS, _KEYS, row)

"""Newcomers of one community waiting for the next batched channel welcome."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from groupbot.storage.models import PendingWelcome, table
from groupbot.storage.unit import UnitOfWork, utc

__all__ = ["PendingWelcomes"]


class PendingWelcomes:
    """One community's queue of newcomers for a batched welcome."""

    def __init__(self, uow: UnitOfWork, community: str) -> None:
        self.uow = uow
        self.community = community
        self._c = uow.connection

    def queue(self, member: str, name: str, due_at: datetime) -> None:
        """Add a newcomer to the next batched channel welcome."""
        self.uow.buffer(
            table(PendingWelcome),
            {"community": self.community, "member": member, "name": name, "due_at": due_at},
        )

    async def take(self) -> list[tuple[str, str]]:
        """Remove and return every newcomer waiting for a batched welcome.

        One statement takes them, so two processes firing the same batch greet each once.
        """
        waiting = table(PendingWelcome)
        rows = await self._c.execute(
            delete(waiting)
            .where(waiting.c.community == self.community)
            .returning(waiting.c.member, waiting.c.name, waiting.c.due_at)
        )
        found = sorted(rows, key=lambda r: (utc(r.due_at), r.member))
        return [(r.member, r.name) for r in found]

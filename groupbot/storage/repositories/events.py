"""Platform events one community has already had handled, so a retry does nothing twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from groupbot.storage.models import ProcessedEvent, table
from groupbot.storage.unit import UnitOfWork

__all__ = ["DEDUPE", "ProcessedEvents"]

# How long event ids are remembered: platforms retry within minutes, so a week is ample.
DEDUPE = timedelta(days=7)
_EVENTS = table(ProcessedEvent)
_KEYS = ("community", "event_id", "at")  # one row per event


class ProcessedEvents:
    """One community's processed event ids."""

    def __init__(self, uow: UnitOfWork, community: str) -> None:
        self.uow = uow
        self.community = community
        self._c = uow.connection

    async def seen(self, event_id: str) -> bool:
        """Whether this platform event was already handled."""
        row = await self._c.execute(
            select(ProcessedEvent.event_id).where(
                ProcessedEvent.community == self.community, ProcessedEvent.event_id == event_id
            )
        )
        return row.first() is not None

    async def claim(self, event_id: str, at: datetime) -> bool:
        """Record the event as handled now; False if it already was (here or by another process).

        On PostgreSQL a second process inserting the same id waits for the first one's
        transaction: if that commits, the id is taken and this one does nothing.
        """
        await self.uow.flush_table(table(ProcessedEvent))
        dialect = self._c.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = (
            insert(table(ProcessedEvent))
            .values(community=self.community, event_id=event_id, at=at)
            .on_conflict_do_nothing()
            .returning(ProcessedEvent.event_id)
        )
        return (await self._c.execute(stmt)).first() is not None

    def mark(self, event_id: str, at: datetime) -> None:
        """Remember a handled event (written with the decision)."""
        self.uow.buffer_values(_EVENTS, _KEYS, (self.community, event_id, at))

    async def purge(self, now: datetime) -> None:
        """Forget event ids older than any platform retries."""
        await self._c.execute(
            delete(ProcessedEvent).where(
                ProcessedEvent.community == self.community, ProcessedEvent.at < now - DEDUPE
            )
        )

"""The unit of work the bot writes into: one connection, one transaction, buffered writes."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from groupbot.storage.repositories import CommunityRepositories
from groupbot.storage.unit import UnitOfWork

__all__ = ["Transactions"]


class Transactions:
    """Opens a transaction on first use and commits or abandons it whole."""

    def __init__(self, db: AsyncEngine) -> None:
        self.db = db
        self.on_commit: Callable[[], None] | None = None  # e.g. wake the outbox worker
        self._conn: AsyncConnection | None = None
        self._uow: UnitOfWork | None = None
        self._repos: dict[str, CommunityRepositories] = {}  # of the current unit of work

    async def unit(self) -> UnitOfWork:
        """The current unit of work, begun on first use."""
        if self._uow is None:
            self._conn = await self.db.connect()
            await self._conn.begin()
            self._uow = UnitOfWork(self._conn)
            self._repos = {}
        return self._uow

    async def flush(self) -> None:
        """Send buffered writes now (before reading what they change)."""
        await (await self.unit()).flush()

    async def repository(self, community: str) -> CommunityRepositories:
        """A repository bound to one community, inside the current unit of work."""
        uow = await self.unit()
        repo = self._repos.get(community)
        if repo is None:  # repositories hold nothing but the unit and the community
            repo = self._repos[community] = CommunityRepositories(uow, community)
        return repo

    @property
    def open(self) -> bool:
        """Whether a transaction is in progress."""
        return self._uow is not None

    async def commit(self) -> None:
        """Flush buffered writes and commit; tell `on_commit` when something is owed."""
        if self._uow is None or self._conn is None:
            return
        await self._uow.flush()
        await self._conn.commit()
        owed = self._uow.outbox_written
        conn, self._conn, self._uow, self._repos = self._conn, None, None, {}
        await conn.close()
        if owed and self.on_commit is not None:
            self.on_commit()

    async def rollback(self) -> None:
        """Abandon the transaction and release its connection."""
        conn, self._conn, self._uow, self._repos = self._conn, None, None, {}
        if conn is not None:
            try:
                await conn.rollback()
            finally:
                await conn.close()

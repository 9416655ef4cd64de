"""The unit of work the bot writes into: one connection, one transaction, buffered writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from groupbot.storage.held import HeldRows, MemberKey, Values
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
        self._held: HeldRows | None = None
        self._holding = False

    def hold(self, *tables: Table) -> None:
        """Keep members' rows, and those of `tables`, between commits (a private database):
        see HeldRows."""
        self._held = self._held or HeldRows(tables)
        self._holding = True

    @property
    def held(self) -> HeldRows | None:
        """The rows held between commits, if they are."""
        return self._held

    def release(self) -> None:
        """The next commit writes every row held so far, and none is held after it."""
        self._holding = False

    async def unit(self) -> UnitOfWork:
        """The current unit of work, begun on first use."""
        if self._uow is None:
            self._conn = await self.db.connect()
            await self._conn.begin()
            self._uow = UnitOfWork(self._conn, self._held)
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
        held = self._held
        if self._uow is None and held is not None and held and not self._holding:
            await self.unit()  # released: the rows held are written even with nothing else
        if self._uow is None or self._conn is None:
            return
        rows: dict[MemberKey, dict[str, Any]] = {}
        values: dict[Table, Values] = {}
        if held is not None and self._holding:
            rows, values = await self._uow.flush_holding()
        else:
            await self._uow.flush()
        await self._conn.commit()
        if held is not None:
            held.kept(rows, values)
        owed = self._uow.outbox_written
        conn, self._conn, self._uow, self._repos = self._conn, None, None, {}
        await conn.close()
        if owed and self.on_commit is not None:
            self.on_commit()

    async def rollback(self) -> None:
        """Abandon the transaction and release its connection."""
        conn, self._conn, self._uow, self._repos = self._conn, None, None, {}
        if self._held is not None:
            self._held.rolled_back()
        if conn is not None:
            try:
                await conn.rollback()
            finally:
                await conn.close()

"""The community's own row: when the bot first saw it, and the owners' shadow-mode switch."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from groupbot.storage.models import Community
from groupbot.storage.unit import UnitOfWork

__all__ = ["CommunityRow", "community_keys"]


class CommunityRow:
    """One community's row in `communities`."""

    def __init__(self, uow: UnitOfWork, community: str) -> None:
        self.community = community
        self._c = uow.connection

    async def ensure(self, at: datetime) -> bool | None:
        """Create the community row if needed; return its shadow-mode override."""
        row = await self._c.execute(
            select(Community.shadow_mode).where(Community.key == self.community)
        )
        found = row.first()
        if found is None:  # another process may be creating it at this very moment
            dialect = self._c.dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            await self._c.execute(
                insert(Community).values(key=self.community, created_at=at).on_conflict_do_nothing()
            )
            return None
        return found[0]

    async def claim(self, at: datetime) -> bool:
        """Create the community row; True only for the one caller that created it."""
        dialect = self._c.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        # A concurrent creator makes this wait for its commit (the key is unique), then skip.
        result = await self._c.execute(
            insert(Community).values(key=self.community, created_at=at).on_conflict_do_nothing()
        )
        return bool(getattr(result, "rowcount", 0))

    async def lock(self) -> None:
        """Hold the community row until commit: changes to its settings wait their turn."""
        # A write, so SQLite takes its write lock now rather than failing to upgrade later.
        await self._c.execute(
            update(Community)
            .where(Community.key == self.community)
            .values(shadow_mode=Community.shadow_mode)
        )

    async def shadow_override(self) -> bool | None:
        """The owners' shadow-mode switch (None: as the rulebook says, or no row yet)."""
        row = await self._c.execute(
            select(Community.shadow_mode).where(Community.key == self.community)
        )
        found = row.first()
        return None if found is None else found[0]

    async def set_shadow_mode(self, on: bool | None) -> None:
        """Switch shadow mode for this community (overrides the rulebook; None: as it says)."""
        await self._c.execute(
            update(Community).where(Community.key == self.community).values(shadow_mode=on)
        )


async def community_keys(conn: AsyncConnection, keys: list[str]) -> list[str]:
    """Which of these communities have a row (were seen before)."""
    found: list[str] = []
    for start in range(0, len(keys), 500):  # bounded IN lists
        chunk = keys[start : start + 500]
        found += await conn.scalars(select(Community.key).where(Community.key.in_(chunk)))
    return found

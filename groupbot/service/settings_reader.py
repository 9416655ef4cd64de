"""A community's settings in force, for adapters that decide before the core sees an event."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from cachetools import TTLCache
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.core.rulebook import Rulebook
from groupbot.service.communities import REFRESH_SECONDS, Communities
from groupbot.storage.repositories import CommunityRepositories
from groupbot.storage.unit import UnitOfWork

__all__ = ["SettingsOf", "SettingsReader"]

SettingsOf = Callable[[str], Awaitable[Rulebook]]  # a community's settings in force


class SettingsReader:
    """Reads a community's settings (the core's copy when fresh, else the database; no writes).

    The Slack adapter asks it which channels count as arriving; a change made in any process is
    seen here within REFRESH_SECONDS, as the core sees it.
    """

    def __init__(self, db: AsyncEngine, communities: Communities, size: int = 4096) -> None:
        self.db = db
        self.communities = communities
        self._read: TTLCache[str, Rulebook] = TTLCache(maxsize=size, ttl=REFRESH_SECONDS)

    async def __call__(self, community: str) -> Rulebook:
        """The settings in force in one community."""
        fresh = self.communities.fresh(community)
        if fresh is not None:
            return fresh
        cached = self._read.get(community)
        if cached is not None:
            return cached
        async with self.db.connect() as conn:
            repo = CommunityRepositories(UnitOfWork(conn), community)
            overrides = await repo.settings.overrides()
            shadow = await repo.row.shadow_override()
        rulebook = self.communities.effective(community, overrides, shadow)
        self._read[community] = rulebook
        return rulebook

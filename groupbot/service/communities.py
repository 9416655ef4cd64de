"""What the bot knows about each community: its display name and its shadow-mode switch."""

from __future__ import annotations

from datetime import datetime

from groupbot.core.rulebook import Rulebook
from groupbot.storage.repositories import CommunityRepositories

__all__ = ["Communities"]


class Communities:
    """Per-community facts, loaded once per community and kept while the process runs."""

    def __init__(self, rulebook: Rulebook) -> None:
        self.rulebook = rulebook
        self.names: dict[str, str] = {}  # display names adapters learn (workspace, server)
        self._shadow: dict[str, bool | None] = {}
        self._loaded: set[str] = set()  # read from the database since the last refresh

    async def ensure(self, repo: CommunityRepositories, now: datetime) -> None:
        """Create the community's row on first sight and load its shadow-mode override."""
        if repo.community not in self._loaded:
            self._shadow[repo.community] = await repo.row.ensure(now)
            self._loaded.add(repo.community)

    def known(self) -> list[str]:
        """Every community seen since the caches were last cleared."""
        return list(self._shadow)

    def clear(self) -> None:
        """Forget what was loaded (after a rollback)."""
        self._shadow.clear()
        self._loaded.clear()

    def refresh(self) -> None:
        """Read each community's settings again at next sight (another process may change them)."""
        self._loaded.clear()

    def shadow(self, community: str) -> bool:
        """Whether this community is in shadow mode right now."""
        override = self._shadow.get(community)
        return self.rulebook.shadow_mode if override is None else override

    def set_shadow(self, community: str, on: bool) -> None:
        """Remember a shadow-mode switch made by an owner."""
        self._shadow[community] = on
        self._loaded.add(community)

    def display_name(self, community: str) -> str:
        """The name texts use for a community (the platform's, else its id)."""
        return self.names.get(community, community)

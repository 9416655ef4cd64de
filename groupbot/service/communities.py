"""What the bot knows about each community: its name and its settings in force."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from groupbot.core.engine import Engine
from groupbot.core.overrides import SettingError, apply_overrides, effective_value
from groupbot.core.rulebook import Rulebook
from groupbot.storage.repositories import CommunityRepositories

__all__ = ["REFRESH_SECONDS", "Communities", "HasRulebook"]

log = logging.getLogger(__name__)

# How often a community's settings version is re-read: another process's change is in force
# here within this many seconds (on the community's next event after it).
REFRESH_SECONDS = 2.0
ENGINES = 256


class HasRulebook(Protocol):
    """A collaborator that judges by the settings put in force for the event in hand."""

    rulebook: Rulebook


@dataclass(slots=True)
class _Loaded:
    """One community's settings as last read from the database."""

    version: int
    checked: float
    shadow: bool | None
    overrides: dict[str, Any]
    rulebook: Rulebook = field(repr=False)


class Communities:
    """Per-community settings: the deployment rulebook with each community's own overrides."""

    def __init__(
        self,
        rulebook: Rulebook,
        engine: Engine | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rulebook = rulebook
        self.engine = engine or Engine(rulebook)  # the deployment's, for every default community
        self.names: dict[str, str] = {}  # display names adapters learn (workspace, server)
        self._loaded: dict[str, _Loaded] = {}
        self._engines: dict[Rulebook, Engine] = {}
        self.clock = clock  # monotonic seconds: when to look for changes made elsewhere

    async def ensure(self, repo: CommunityRepositories, now: datetime) -> None:
        """Create the community's row on first sight; (re)load its settings when they changed."""
        c = repo.community
        loaded = self._loaded.get(c)
        if loaded is not None and self.clock() - loaded.checked < REFRESH_SECONDS:
            return
        version = await repo.settings.version()
        if loaded is not None and version == loaded.version:
            loaded.checked = self.clock()
            return
        shadow = await repo.row.ensure(now)
        overrides = await repo.settings.overrides() if version else {}
        self._store(c, version, shadow, overrides)

    def _store(
        self, community: str, version: int, shadow: bool | None, overrides: dict[str, Any]
    ) -> None:
        """Keep a community's settings and the rulebook they make."""
        rulebook = self._effective(community, overrides, shadow)
        self._loaded[community] = _Loaded(version, self.clock(), shadow, overrides, rulebook)

    def _effective(
        self, community: str, overrides: Mapping[str, Any], shadow: bool | None
    ) -> Rulebook:
        """Defaults plus overrides; one the defaults no longer accept is skipped, and logged."""
        wanted = dict(overrides)
        if shadow is not None:
            wanted["shadow_mode"] = shadow
        if not wanted:
            return self.rulebook
        try:
            return apply_overrides(self.rulebook, wanted)
        except SettingError:
            kept: dict[str, Any] = {}
            for key, value in wanted.items():
                try:
                    apply_overrides(self.rulebook, {**kept, key: value})
                except SettingError as exc:
                    log.warning("community %s: setting skipped: %s", community, exc)
                else:
                    kept[key] = value
            return apply_overrides(self.rulebook, kept)

    def known(self) -> list[str]:
        """Every community seen since the caches were last cleared."""
        return list(self._loaded)

    def forget(self, community: str) -> None:
        """Read one community's settings afresh at its next sight (a change was not stored)."""
        self._loaded.pop(community, None)

    def clear(self) -> None:
        """Forget what was loaded (after a rollback)."""
        self._loaded.clear()

    def refresh(self) -> None:
        """Look for changes made elsewhere at each community's next sight (one small read)."""
        for loaded in self._loaded.values():
            loaded.checked = float("-inf")

    def fresh(self, community: str) -> Rulebook | None:
        """The community's settings if they were read within REFRESH_SECONDS, else None."""
        loaded = self._loaded.get(community)
        if loaded is None or self.clock() - loaded.checked >= REFRESH_SECONDS:
            return None
        return loaded.rulebook

    def effective(
        self, community: str, overrides: Mapping[str, Any], shadow: bool | None
    ) -> Rulebook:
        """The settings that overrides (and an owner's shadow switch) make of the defaults."""
        return self._effective(community, overrides, shadow)

    def rulebook_of(self, community: str) -> Rulebook:
        """The settings in force in a community (the defaults before it was first seen)."""
        loaded = self._loaded.get(community)
        return self.rulebook if loaded is None else loaded.rulebook

    def engine_of(self, community: str) -> Engine:
        """An engine judging by the community's settings (shared by equal settings)."""
        rulebook = self.rulebook_of(community)
        if rulebook is self.rulebook:
            return self.engine
        engine = self._engines.get(rulebook)
        if engine is None:
            if len(self._engines) >= ENGINES:
                self._engines.pop(next(iter(self._engines)))
            engine = self._engines[rulebook] = Engine(rulebook)
        return engine

    def overrides_of(self, community: str) -> dict[str, Any]:
        """The keys the community set itself, shadow mode included."""
        loaded = self._loaded.get(community)
        if loaded is None:
            return {}
        out = dict(loaded.overrides)
        if loaded.shadow is not None:
            out["shadow_mode"] = loaded.shadow
        return out

    def changed(self, community: str, overrides: dict[str, Any]) -> None:
        """Put a change made here in force at once (shadow_mode among the overrides)."""
        rest = dict(overrides)
        shadow = rest.pop("shadow_mode", None)
        self._store(community, -1, shadow, rest)  # -1: re-read the version at the next check

    async def save(
        self,
        repo: CommunityRepositories,
        changes: Mapping[str, Any],
        member: str,
        now: datetime,
    ) -> dict[str, tuple[Any, Any]]:
        """Apply changes (None resets a key) as a whole or not at all: (previous, value) per key.

        Raises SettingError, writing nothing, if the settings they make are not valid.
        """
        c = repo.community
        before = self.rulebook_of(c)
        own = self.overrides_of(c)
        for key, value in changes.items():
            if value is None:
                own.pop(key, None)
            else:
                own[key] = value
        after = apply_overrides(self.rulebook, own)
        done: dict[str, tuple[Any, Any]] = {}
        for key, value in changes.items():
            previous = effective_value(before, key)
            if key == "shadow_mode":
                await repo.row.set_shadow_mode(value)
                await repo.settings.record(key, previous, value, member, now)
            else:
                await repo.settings.put(key, value, member, now, previous)
            done[key] = (previous, effective_value(after, key))
        self.changed(c, own)
        return done

    def shadow(self, community: str) -> bool:
        """Whether this community is in shadow mode right now."""
        return self.rulebook_of(community).shadow_mode

    def set_shadow(self, community: str, on: bool) -> None:
        """Remember a shadow-mode switch made by an owner."""
        self.changed(community, {**self.overrides_of(community), "shadow_mode": on})

    def display_name(self, community: str) -> str:
        """The name texts use for a community (the platform's, else its id)."""
        return self.names.get(community, community)

"""A community's own settings (rulebook overrides as JSON) and the history of every change."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select

from groupbot.storage.models import CommunitySetting, SettingChange
from groupbot.storage.unit import UnitOfWork, utc

__all__ = ["Change", "Settings"]


@dataclass(frozen=True, slots=True)
class Change:
    """One row of a community's settings history; old/new are None where nothing was set."""

    id: int
    key: str
    old: Any
    new: Any
    member: str
    at: datetime


def _load(text: str | None) -> Any:
    """A stored JSON value (None stays None)."""
    return None if text is None else json.loads(text)


class Settings:
    """One community's overrides and their history."""

    def __init__(self, uow: UnitOfWork, community: str) -> None:
        self.community = community
        self._c = uow.connection

    async def version(self) -> int:
        """The id of the latest change (0 if none): another process's change moves it."""
        found = await self._c.scalar(
            select(func.max(SettingChange.id)).where(SettingChange.community == self.community)
        )
        return int(found or 0)

    async def overrides(self) -> dict[str, Any]:
        """Every key this community set, with its value."""
        rows = await self._c.execute(
            select(CommunitySetting.key, CommunitySetting.value).where(
                CommunitySetting.community == self.community
            )
        )
        return {key: json.loads(value) for key, value in rows}

    async def put(self, key: str, value: Any, member: str, at: datetime, old: Any) -> None:
        """Set (or, with value None, remove) an override and write its history row."""
        where = (CommunitySetting.community == self.community, CommunitySetting.key == key)
        await self._c.execute(delete(CommunitySetting).where(*where))
        if value is not None:
            await self._c.execute(
                insert(CommunitySetting).values(
                    community=self.community,
                    key=key,
                    value=json.dumps(value),
                    updated_at=at,
                    updated_by=member,
                )
            )
        await self.record(key, old, value, member, at)

    async def record(self, key: str, old: Any, new: Any, member: str, at: datetime) -> None:
        """Write a history row only (for settings stored elsewhere, such as shadow mode)."""
        await self._c.execute(
            insert(SettingChange).values(
                community=self.community,
                key=key,
                old=None if old is None else json.dumps(old),
                new=None if new is None else json.dumps(new),
                member=member,
                at=at,
            )
        )

    async def history(self, limit: int = 20) -> list[Change]:
        """The most recent changes, newest first."""
        rows = await self._c.execute(
            select(
                SettingChange.id,
                SettingChange.key,
                SettingChange.old,
                SettingChange.new,
                SettingChange.member,
                SettingChange.at,
            )
            .where(SettingChange.community == self.community)
            .order_by(SettingChange.id.desc())
            .limit(limit)
        )
        return [
            Change(id_, key, _load(old), _load(new), member, utc(at))
            for id_, key, old, new, member, at in rows
        ]

"""A community's own settings (rulebook overrides as JSON) and the history of every change."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from groupbot.storage.models import CommunitySetting, SettingChange
from groupbot.storage.unit import UnitOfWork, utc

__all__ = ["SHADOW_UNTIL", "Change", "Settings", "open_shadow_periods"]

# The history key that records when a first-run shadow period ends (not a rulebook key).
SHADOW_UNTIL = "first_run.shadow_until"


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

    async def shadow_period(self) -> datetime | None:
        """When the first-run shadow period ends, if it is still open (no shadow change since)."""
        found = await open_shadow_periods(self._c, self.community)
        return found.get(self.community)

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


async def open_shadow_periods(
    conn: AsyncConnection, community: str | None = None
) -> dict[str, datetime]:
    """Each community's open first-run shadow period and its end (one community, or all).

    A period is open while no shadow_mode change was recorded after it: the bot's own end
    and an owner's choice both close it.
    """
    later = aliased(SettingChange)
    query = select(SettingChange.community, SettingChange.new).where(
        SettingChange.key == SHADOW_UNTIL,
        ~select(later.id)
        .where(
            and_(
                later.community == SettingChange.community,
                later.key == "shadow_mode",
                later.id > SettingChange.id,
            )
        )
        .exists(),
    )
    if community is not None:
        query = query.where(SettingChange.community == community)
    out: dict[str, datetime] = {}
    for key, new in await conn.execute(query):
        if new is not None:
            out[key] = utc(datetime.fromisoformat(json.loads(new)))
    return out

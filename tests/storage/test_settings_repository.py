"""A community's settings and their history on SQLite and PostgreSQL, bound to one community."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.storage.repositories import CommunityRepositories
from groupbot.storage.unit import UnitOfWork

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def test_overrides_history_and_version_per_community(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.begin()
        one = CommunityRepositories(UnitOfWork(conn), "c1")
        two = CommunityRepositories(UnitOfWork(conn), "c2")
        assert await one.settings.version() == 0
        await one.settings.put("channels.intro", ["hello"], "O1", NOW, ["intros"])
        await one.settings.put("welcome.text", "Hi {name}", "O1", NOW + timedelta(minutes=1), "x")
        await one.settings.put("channels.intro", None, "O2", NOW + timedelta(minutes=2), ["hello"])
        await two.settings.record("shadow_mode", False, True, "O9", NOW)
        await conn.commit()
    async with engine.connect() as conn:
        one = CommunityRepositories(UnitOfWork(conn), "c1")
        two = CommunityRepositories(UnitOfWork(conn), "c2")
        assert await one.settings.overrides() == {"welcome.text": "Hi {name}"}
        assert await two.settings.overrides() == {}
        history = await one.settings.history()
        assert [(c.key, c.old, c.new, c.member) for c in history] == [
            ("channels.intro", ["hello"], None, "O2"),
            ("welcome.text", "x", "Hi {name}", "O1"),
            ("channels.intro", ["intros"], ["hello"], "O1"),
        ]
        assert history[0].at == NOW + timedelta(minutes=2)
        assert await one.settings.version() == history[0].id
        assert [c.key for c in await two.settings.history()] == ["shadow_mode"]
        assert len(await one.settings.history(limit=1)) == 1

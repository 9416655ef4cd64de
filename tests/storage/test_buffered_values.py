"""Rows buffered as tuples: written as dict rows are, on SQLite's plain path and PostgreSQL's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.storage.models import Post, ProcessedEvent, table
from groupbot.storage.repositories import CommunityRepositories
from groupbot.storage.unit import UnitOfWork

NOW = datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=UTC)


async def test_posts_and_event_ids_are_stored_as_given(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.begin()
        uow = UnitOfWork(conn)
        repo = CommunityRepositories(uow, "c1")
        repo.posts.add("ann", "m1", "general", NOW, True)
        repo.posts.add("ben", "m2", "random", NOW, False)
        repo.events.mark("e1", NOW)
        repo.events.mark("e1", NOW)  # a fact written twice is one row
        await uow.flush_table(table(ProcessedEvent))
        assert await repo.events.seen("e1")
        await uow.flush()
        posts = await conn.execute(
            select(Post.member, Post.message, Post.channel, Post.at, Post.promotional).order_by(
                Post.id
            )
        )
        stored = [(m, msg, c, at.replace(tzinfo=UTC), bool(p)) for m, msg, c, at, p in posts]
        assert stored == [
            ("ann", "m1", "general", NOW, True),
            ("ben", "m2", "random", NOW, False),
        ]
        await conn.rollback()


async def test_rows_of_one_table_share_their_keys(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        uow = UnitOfWork(conn)
        uow.buffer_values(table(ProcessedEvent), ("community", "event_id", "at"), ("c", "e", NOW))
        with pytest.raises(ValueError, match="other keys"):
            uow.buffer_values(
                table(ProcessedEvent), ("event_id", "community", "at"), ("e", "c", NOW)
            )

"""Rows held between commits (a private database): written before reads and at the end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.core.state import MemberState
from groupbot.service.transactions import Transactions
from groupbot.storage import unit
from groupbot.storage.models import Member, Post, table

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def stored(engine: AsyncEngine) -> dict[str, int]:
    """Each stored member's post count."""
    async with engine.connect() as conn:
        rows = await conn.execute(select(Member.member, Member.post_count))
        return {member: count for member, count in rows}


async def save(transactions: Transactions, state: MemberState) -> None:
    repo = await transactions.repository("c1")
    await repo.row.ensure(NOW)
    repo.members.save(state)


async def test_rows_wait_for_a_read_or_the_last_commit(engine: AsyncEngine) -> None:
    transactions = Transactions(engine)
    transactions.hold()
    ann = MemberState(member="ann", first_seen_at=NOW, post_count=1)
    await save(transactions, ann)
    await transactions.commit()
    assert await stored(engine) == {}
    ann.post_count = 2
    await save(transactions, MemberState(member="ben", first_seen_at=NOW + timedelta(hours=1)))
    await transactions.flush()  # before a read: every row so far, this transaction's too
    await transactions.commit()
    assert await stored(engine) == {"ann": 1, "ben": 0}  # ann's as committed: not saved again
    await save(transactions, ann)
    await transactions.commit()
    transactions.release()
    await transactions.commit()  # nothing else to write: the held rows still are
    assert await stored(engine) == {"ann": 2, "ben": 0}
    await save(transactions, ann)
    ann.post_count = 3
    await transactions.commit()  # released: written at once, as without holding
    assert await stored(engine) == {"ann": 3, "ben": 0}


async def test_a_rollback_loses_no_committed_row(engine: AsyncEngine) -> None:
    transactions = Transactions(engine)
    transactions.hold()
    ann = MemberState(member="ann", first_seen_at=NOW, post_count=1)
    await save(transactions, ann)
    await transactions.commit()
    ann.post_count = 5  # changed by an event whose transaction is abandoned
    await save(transactions, ann)
    await transactions.flush()
    assert await _inside(transactions) == {"ann": 5}
    await transactions.rollback()
    assert await stored(engine) == {}
    await transactions.flush()  # the next transaction's read writes the committed row
    assert await _inside(transactions) == {"ann": 1}
    await transactions.commit()
    assert await stored(engine) == {"ann": 1}


async def _inside(transactions: Transactions) -> dict[str, int]:
    """Each member's post count as the open transaction sees it."""
    conn = (await transactions.unit()).connection
    rows = await conn.execute(select(Member.member, Member.post_count))
    return {member: count for member, count in rows}


async def posted(engine: AsyncEngine) -> list[str]:
    """The message ids of the stored posts."""
    async with engine.connect() as conn:
        return sorted(await conn.scalars(select(Post.message)))


async def post(transactions: Transactions, message: str, hours: int) -> None:
    repo = await transactions.repository("c1")
    await repo.row.ensure(NOW)
    repo.posts.add("ann", message, "general", NOW + timedelta(hours=hours), False)


async def test_post_rows_wait_for_a_read_of_their_table(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(unit, "CHUNK", 2)  # the rows held go in several inserts
    transactions = Transactions(engine)
    transactions.hold(table(Post))
    for hours, message in enumerate(["m1", "m2", "m3"]):
        await post(transactions, message, hours)
        await transactions.commit()
    assert await posted(engine) == []
    held = transactions.held
    assert held is not None and held.forget_before(NOW + timedelta(minutes=30)) == 1
    await post(transactions, "m4", 3)
    await (await transactions.unit()).flush_table(table(Post))  # before a read of posts
    await transactions.commit()
    assert await posted(engine) == ["m2", "m3", "m4"]  # m1 was older than any window reads
    await post(transactions, "m5", 4)
    await transactions.rollback()  # m5's event abandoned: its row is not held
    await post(transactions, "m6", 5)
    await transactions.commit()
    transactions.release()
    await transactions.commit()
    assert await posted(engine) == ["m2", "m3", "m4", "m6"]

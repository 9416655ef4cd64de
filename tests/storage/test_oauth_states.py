"""OAuth states: single use, ten minutes, purged while installs keep coming, indexed."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, inspect, select
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.storage.models import SLACK_OAUTH_STATES
from groupbot.storage.oauth import STATE_SECONDS, OAuthStates


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


async def rows(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(SLACK_OAUTH_STATES)) or 0)


async def test_a_state_is_consumed_once_and_only_before_it_expires(engine: AsyncEngine) -> None:
    clock = Clock()
    states = OAuthStates(engine, clock=clock)
    first = await states.async_issue()
    assert await states.async_consume(first)
    assert not await states.async_consume(first)  # a replayed callback
    assert not await states.async_consume("never-issued")
    late = await states.async_issue()
    clock.now += STATE_SECONDS + 1
    assert not await states.async_consume(late)


async def test_concurrent_callbacks_with_one_state_succeed_once(engine: AsyncEngine) -> None:
    states = OAuthStates(engine)
    state = await states.async_issue()
    results = await asyncio.gather(*(states.async_consume(state) for _ in range(5)))
    assert sorted(results) == [False, False, False, False, True]


async def test_anonymous_visits_cannot_grow_the_table_without_bound(engine: AsyncEngine) -> None:
    clock = Clock()
    states = OAuthStates(engine, clock=clock)
    for _minute in range(30):  # 30 minutes of 20 anonymous visits a minute, nobody finishes
        for _ in range(20):
            await states.async_issue()
        clock.now += 60
    # Only the last ten minutes' states are kept: 200, not 600.
    assert await rows(engine) <= 20 * (STATE_SECONDS // 60) + 20
    clock.now += STATE_SECONDS + 1
    await states.async_issue()
    assert await rows(engine) == 1


async def test_states_are_indexed_by_value_and_expiry(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        indexes = await conn.run_sync(
            lambda sync: inspect(sync).get_indexes(SLACK_OAUTH_STATES.name)
        )
    columns = {tuple(i["column_names"]): bool(i["unique"]) for i in indexes}
    assert columns.get(("state",)) is True
    assert ("expire_at",) in columns

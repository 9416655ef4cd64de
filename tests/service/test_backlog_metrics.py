"""The gauges and counters an operator watches: queue size and age, outbox depth and delivery."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.adapters.memory import MemoryPlatform
from groupbot.core.events import CommandIssued, MemberJoined
from groupbot.core.rulebook import Rulebook
from groupbot.service.bot import Bot
from groupbot.service.runner import Runner

NOW = datetime.now(UTC).replace(microsecond=0)


def value(name: str, **labels: str) -> float:
    found = REGISTRY.get_sample_value(name, labels)
    return 0.0 if found is None else found


async def test_a_round_reports_the_queue_the_outbox_and_each_delivery(engine: AsyncEngine) -> None:
    bot = Bot(engine, Rulebook(), platform="slack")
    await bot.start()
    platform = MemoryPlatform()
    delivered_before = value("groupbot_outbox_delivery_seconds_count", action="welcome")
    try:
        asked = NOW - timedelta(hours=2)
        await bot.handle(MemberJoined("c1", "ann", asked, "j1", "Ann"))
        await bot.handle(
            CommandIssued("c1", "ann", asked, "s1", "share", ("general", "my", "launch"))
        )
        stop = asyncio.Event()

        async def after_one_round(pause: Coroutine[Any, Any, None]) -> None:
            pause.close()  # no waiting: the first idle moment ends the run
            stop.set()

        await Runner(bot, platform, clock=lambda: NOW, idle=after_one_round).run(stop)
    finally:
        await bot.close()
    assert value("groupbot_queue_pending") == 1
    assert value("groupbot_queue_oldest_pending_seconds") == 2 * 3600
    assert value("groupbot_outbox_rows", status="pending") == 0  # all delivered
    assert value("groupbot_outbox_delivery_seconds_count", action="welcome") == delivered_before + 1


async def test_a_refused_delivery_is_counted_by_reason(engine: AsyncEngine) -> None:
    bot = Bot(engine, Rulebook.model_validate({"welcome": {"mode": "dm"}}), platform="slack")
    await bot.start()
    platform = MemoryPlatform()
    platform.refuse_dm.add("bob")
    before = sum(
        value("groupbot_outbox_failures_total", action="welcome", reason=r)
        for r in ("retry", "final", "rate_limited")
    )
    try:
        await bot.handle(MemberJoined("c1", "bob", NOW, "j2", "Bob"))
        await Runner(bot, platform, clock=lambda: NOW).worker.drain(NOW)
    finally:
        await bot.close()
    after = sum(
        value("groupbot_outbox_failures_total", action="welcome", reason=r)
        for r in ("retry", "final", "rate_limited")
    )
    assert after == before + 1

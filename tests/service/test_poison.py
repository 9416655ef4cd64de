"""One event's failure is that event's alone: neighbours stored, the poisoned one kept aside."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.core.clean import clean_event, clean_text
from groupbot.core.events import MemberJoined, MessagePosted
from groupbot.core.rulebook import Rulebook
from groupbot.service.failures import event_from_json, event_to_json
from groupbot.service.live import start_live_bot
from groupbot.service.metrics import FAILED_EVENTS
from groupbot.service.retry import retry_failed
from groupbot.storage.models import FailedEvent, Member

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GROUPBOT = str(Path(sys.executable).parent / "groupbot")
POISON = "Ann\x00ie \ud800"


async def groupbot(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the command line in its own process (off the event loop)."""
    command = [GROUPBOT, *args]
    return await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, timeout=60
    )


def joins(count: int) -> list[MemberJoined]:
    """`count` newcomers joining a second apart."""
    return [
        MemberJoined("c1", f"U{n:03d}", T0 + timedelta(seconds=n), f"join:U{n:03d}", f"M{n}")
        for n in range(count)
    ]


async def count(engine: AsyncEngine, model: type[Member] | type[FailedEvent]) -> int:
    """Rows of one table."""
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(model)) or 0)


def test_clean_text_replaces_nul_and_lone_surrogates_only() -> None:
    assert clean_text("a\x00b") == "a\ufffdb"
    assert clean_text("x\ud83dy\udc00") == "x\ufffdy\ufffd"
    assert clean_text("café 😀 ok") == "café 😀 ok"
    event = MessagePosted("c1", "U1", T0, "m1", "gen\x00", "m1", "hi\x00", name="A\ud800")
    clean = clean_event(event)
    assert (clean.channel, clean.text, clean.name) == ("gen\ufffd", "hi\ufffd", "A\ufffd")
    plain = MessagePosted("c1", "U1", T0, "m1", "general", "m1", "hi")
    assert clean_event(plain) is plain


def test_a_dead_letter_holds_the_event_exactly() -> None:
    event = MemberJoined("c1", "U1", T0, "join:U1", POISON, frozenset({"admin"}))
    payload = event_to_json(event)
    assert payload.isascii()
    assert event_from_json(payload) == event


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_thirty_joins_around_a_poisoned_one_are_all_stored(engine: AsyncEngine) -> None:
    bot = await start_live_bot(engine, Rulebook(), "slack")
    failed_before = FAILED_EVENTS.labels(platform="slack")._value.get()
    events = joins(31)
    events[15] = MemberJoined("c1", "U015", events[15].at, "join:U015", POISON)  # NUL: unstorable
    try:
        results = await asyncio.gather(*(bot.handle(e) for e in events))
    finally:
        await bot.close()
    assert all(isinstance(r, list) for r in results)  # nobody was told it failed
    assert results[15] == []
    assert await count(engine, Member) == 30
    assert await count(engine, FailedEvent) == 1
    assert FAILED_EVENTS.labels(platform="slack")._value.get() == failed_before + 1
    async with engine.connect() as conn:
        error = await conn.scalar(select(FailedEvent.error))
    assert error is not None and error.startswith("DBAPIError")
    stored, failing = await retry_failed(engine, Rulebook())
    assert (stored, failing) == (1, 0)
    assert await count(engine, Member) == 31
    assert await count(engine, FailedEvent) == 0
    async with engine.connect() as conn:
        name = await conn.scalar(select(Member.name).where(Member.member == "U015"))
    assert name == "Ann\ufffdie \ufffd"


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_events_failed_lists_and_events_retry_stores(
    engine: AsyncEngine, database_url: str
) -> None:
    bot = await start_live_bot(engine, Rulebook(), "slack")
    try:
        await bot.handle(MemberJoined("c1", "U1", T0, "join:U1", POISON))
    finally:
        await bot.close()
    listed = await groupbot("events", "failed", "--database", database_url)
    assert listed.returncode == 0, listed.stderr
    assert "#1 " in listed.stdout and "join:U1" in listed.stdout and "slack" in listed.stdout
    retried = await groupbot("events", "retry", "--database", database_url)
    assert retried.returncode == 0, retried.stderr
    assert "1 stored, 0 still failing" in retried.stdout
    assert await count(engine, FailedEvent) == 0

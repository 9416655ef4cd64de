"""The directory's cache: fresh values served, stale ones reloaded, one lookup per key at a time."""

from __future__ import annotations

import asyncio

import pytest

from groupbot.adapters.slack.cache import TtlCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_values_expire_after_their_ttl() -> None:
    clock = Clock()
    cache: TtlCache[str, int] = TtlCache(60, clock=clock)
    loads = 0

    async def load() -> int:
        nonlocal loads
        loads += 1
        return loads

    assert await cache.get("u", load) == 1
    clock.now = 59.9
    assert await cache.get("u", load) == 1
    clock.now = 60.1
    assert await cache.get("u", load) == 2


async def test_concurrent_misses_share_one_lookup_and_its_failure() -> None:
    cache: TtlCache[str, str] = TtlCache(60)
    release, started = asyncio.Event(), asyncio.Event()
    calls = 0

    async def load() -> str:
        nonlocal calls
        calls += 1
        started.set()
        await release.wait()
        raise RuntimeError("users.info failed")

    waiters = [asyncio.create_task(cache.get("u", load)) for _ in range(5)]
    await started.wait()
    await asyncio.gather(*(asyncio.sleep(0) for _ in range(3)))  # let every waiter reach the cache
    release.set()
    results = await asyncio.gather(*waiters, return_exceptions=True)
    assert calls == 1 and all(isinstance(r, RuntimeError) for r in results)
    assert cache.peek("u") is None  # a failure is not cached


async def test_size_bound_and_drop() -> None:
    cache: TtlCache[int, int] = TtlCache(60, size=2)
    for n in range(3):
        cache.put(n, n)
    assert cache.peek(0) is None and cache.peek(2) == 2
    cache.drop(2)
    assert cache.peek(2) is None


@pytest.mark.parametrize("value", [0, "", False])
async def test_falsy_values_are_cached_values(value: object) -> None:
    cache: TtlCache[str, object] = TtlCache(60)
    cache.put("k", value)
    assert await cache.get("k", lambda: pytest.fail("reloaded")) == value  # type: ignore[arg-type,return-value]

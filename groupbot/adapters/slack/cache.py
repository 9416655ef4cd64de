"""A TTL cache (cachetools') whose concurrent misses for one key share a single lookup."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

from cachetools import TTLCache

__all__ = ["TtlCache"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    """Values expire after `ttl` seconds; at most `size` are kept (least recently used go)."""

    def __init__(
        self, ttl: float, size: int = 50_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.size = size
        self._values: TTLCache[K, V] = TTLCache(maxsize=size, ttl=ttl, timer=clock)
        self._loading: dict[K, asyncio.Future[V]] = {}

    def peek(self, key: K) -> V | None:
        """The cached value if it is still fresh."""
        return self._values.get(key)

    def put(self, key: K, value: V) -> None:
        """Store a value now."""
        self._values[key] = value

    def drop(self, key: K) -> None:
        """Forget one key."""
        self._values.pop(key, None)

    async def get(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        """The fresh value, or load it once however many callers are waiting for it."""
        value = self.peek(key)
        if value is not None:
            return value
        pending = self._loading.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._loading[key] = future
        try:
            value = await load()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it, nobody logs it as lost
            raise
        finally:
            self._loading.pop(key, None)
        self.put(key, value)
        future.set_result(value)
        return value

"""Work in progress that a shutdown should let finish: platform events already acknowledged."""

from __future__ import annotations

import asyncio
from types import TracebackType

__all__ = ["InFlight"]


class InFlight:
    """Counts running handlers (`async with in_flight:`); `idle()` waits until none is left."""

    def __init__(self) -> None:
        self._running = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def running(self) -> int:
        """How many handlers are running now."""
        return self._running

    async def __aenter__(self) -> None:
        self._running += 1
        self._idle.clear()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._running -= 1
        if not self._running:
            self._idle.set()

    async def idle(self) -> None:
        """Wait until no handler is running (bound it with asyncio.timeout)."""
        await self._idle.wait()

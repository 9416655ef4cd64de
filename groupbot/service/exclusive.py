"""Work of its own between a bot's events (the history read), in a transaction of its own."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from typing import TYPE_CHECKING

from groupbot.service.transactions import Transactions

__all__ = ["Exclusive"]


class Exclusive:
    """Lets other work take the bot's turn: no event is handled meanwhile."""

    _lock: asyncio.Lock
    clock: datetime | None
    transactions: Transactions

    if TYPE_CHECKING:  # the Bot's own

        async def commit(self) -> None: ...

        async def rollback(self) -> None: ...

        def _forget_between_commits(self) -> None: ...

    @contextlib.asynccontextmanager
    async def alone(self, now: datetime) -> AsyncIterator[None]:
        """Between events: what the block writes commits when it ends, or is rolled back whole.

        Events already handled are stored first, so a failure here takes none of them along.
        Before any event came the clock reads `now` meanwhile, and is not kept.
        """
        async with self._lock:
            await self.commit()
            unset = self.clock is None
            if unset:
                self.clock = now
            try:
                yield
                await self.transactions.commit()
            except BaseException:
                await self.rollback()
                raise
            finally:
                if unset:
                    self.clock = None
            self._forget_between_commits()

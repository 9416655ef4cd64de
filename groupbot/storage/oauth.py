"""OAuth states for "Add to Slack": issued with an expiry, consumed once, purged as we go."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.storage.models import SLACK_OAUTH_STATES

__all__ = ["STATE_SECONDS", "OAuthStates"]

# Slack's own stores keep a state for ten minutes: long enough to click through the consent.
STATE_SECONDS = 600
log = logging.getLogger(__name__)


class OAuthStates(AsyncOAuthStateStore):
    """States in `slack_oauth_states`: each issue purges expired rows, a consume is one DELETE."""

    def __init__(
        self,
        engine: AsyncEngine,
        expiration_seconds: int = STATE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._engine = engine
        self._seconds = expiration_seconds
        self._clock = clock

    @property
    def logger(self) -> logging.Logger:
        """The logger Bolt expects every store to have."""
        return log

    def _now(self) -> datetime:
        # The SDK's table stores naive UTC (DateTime without a zone) on every backend.
        return datetime.fromtimestamp(self._clock(), UTC).replace(tzinfo=None)

    async def async_issue(self, *args: object, **kwargs: object) -> str:
        """A new state; expired ones go in the same transaction, so visits cannot pile up."""
        state = str(uuid.uuid4())
        now = self._now()
        table = SLACK_OAUTH_STATES
        async with self._engine.begin() as conn:
            await conn.execute(delete(table).where(table.c.expire_at <= now))
            expiry = now + timedelta(seconds=self._seconds)
            await conn.execute(insert(table).values(state=state, expire_at=expiry))
        return state

    async def async_consume(self, state: str) -> bool:
        """Whether the state was issued and unexpired; it is gone afterwards either way."""
        table = SLACK_OAUTH_STATES
        async with self._engine.begin() as conn:
            gone = await conn.execute(
                delete(table)
                .where(table.c.state == state, table.c.expire_at > self._now())
                .returning(table.c.id)
            )
            return gone.first() is not None

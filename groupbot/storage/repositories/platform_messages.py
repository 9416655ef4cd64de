"""Messages the bot posted about a request (owner notifications), so they can be updated."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.storage.models import PlatformMessage

__all__ = ["PlatformMessages"]


class PlatformMessages:
    """One community's record of its owner notifications, on their own short transactions."""

    def __init__(self, engine: AsyncEngine, community: str) -> None:
        self.engine = engine
        self.community = community

    async def remember(self, request: int, channel: str, ref: str, at: datetime) -> None:
        """Record a message the bot posted about a request."""
        async with self.engine.begin() as conn:
            await conn.execute(
                insert(PlatformMessage).values(
                    community=self.community,
                    request=request,
                    channel=channel,
                    ref=ref,
                    created_at=at,
                )
            )

    async def of_request(self, request: int) -> list[tuple[str, str]]:
        """(channel, ref) of every message the bot posted about a request."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(PlatformMessage.channel, PlatformMessage.ref)
                .where(
                    PlatformMessage.community == self.community,
                    PlatformMessage.request == request,
                )
                .order_by(PlatformMessage.id)
            )
            return [(channel, ref) for channel, ref in rows]

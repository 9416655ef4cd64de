"""One repository per kind of record, each bound to one community when it is made."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, update

from groupbot.core.approvals import Status
from groupbot.storage.models import AuditEntry, Member, PendingWelcome, Post, Request, table
from groupbot.storage.repositories.audit import MESSAGE_TEXT_FIELDS, AuditLog
from groupbot.storage.repositories.communities import CommunityRow, community_keys
from groupbot.storage.repositories.events import DEDUPE, ProcessedEvents
from groupbot.storage.repositories.members import Members
from groupbot.storage.repositories.platform_messages import PlatformMessages
from groupbot.storage.repositories.posts import Posts
from groupbot.storage.repositories.requests import (
    RequestRow,
    Requests,
    all_pending_requests,
    request_row,
)
from groupbot.storage.repositories.settings import (
    SHADOW_UNTIL,
    Change,
    Settings,
    open_shadow_periods,
)
from groupbot.storage.repositories.stats import community_stats
from groupbot.storage.repositories.welcomes import PendingWelcomes
from groupbot.storage.unit import UnitOfWork

__all__ = [
    "DEDUPE",
    "MESSAGE_TEXT_FIELDS",
    "SHADOW_UNTIL",
    "AuditLog",
    "Change",
    "CommunityRepositories",
    "CommunityRow",
    "Members",
    "PendingWelcomes",
    "PlatformMessages",
    "Posts",
    "ProcessedEvents",
    "RequestRow",
    "Requests",
    "Settings",
    "all_pending_requests",
    "community_keys",
    "open_shadow_periods",
    "request_row",
]


class CommunityRepositories:
    """Every repository of one community in one unit of work, and what spans them."""

    def __init__(self, uow: UnitOfWork, community: str) -> None:
        self.uow = uow
        self.community = community
        self.row = CommunityRow(uow, community)
        self.events = ProcessedEvents(uow, community)
        self.members = Members(uow, community)
        self.posts = Posts(uow, community)
        self.audit = AuditLog(uow, community)
        self.requests = Requests(uow, community)
        self.welcomes = PendingWelcomes(uow, community)
        self.settings = Settings(uow, community)

    async def stats(self) -> dict[str, Any]:
        """The community's health (buffered writes sent first)."""
        await self.requests.written()
        return await community_stats(self.uow.connection, self.community)

    async def forget(self, member: str) -> int:
        """Delete everything stored about a member; return the number of rows removed."""
        await self.requests.written()
        removed = 0
        for model in (Member, Post, PendingWelcome, Request, AuditEntry):
            t = table(model)
            result = await self.uow.connection.execute(
                delete(t).where(t.c.community == self.community, t.c.member == member)
            )
            removed += int(getattr(result, "rowcount", 0) or 0)
        return removed

    async def purge_before(self, horizon: datetime, now: datetime) -> None:
        """Retention: drop message text older than the horizon, and old event ids."""
        await self.requests.written()
        await self.uow.connection.execute(
            update(Request)
            .where(
                Request.community == self.community,
                Request.status != Status.PENDING.value,
                Request.decided_at < horizon,
            )
            .values(text="", evidence="")
        )
        await self.audit.drop_evidence_before(horizon)
        await self.events.purge(now)

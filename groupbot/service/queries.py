"""Read-only queries for platform views (App Home, notifications): nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.core.rulebook import Rulebook
from groupbot.storage.repositories import CommunityRepositories, RequestRow
from groupbot.storage.unit import UnitOfWork

__all__ = [
    "Budget",
    "MemberOverview",
    "OwnerOverview",
    "member_overview",
    "owner_overview",
    "promotion_budget",
    "request_detail",
]


@dataclass(frozen=True, slots=True)
class Budget:
    """A member's 90/10 promotion budget over the rolling window."""

    promotional: int
    posts: int
    allowed: int
    window_days: int

    @property
    def remaining(self) -> int:
        """Promotional posts still within the budget right now."""
        return max(0, self.allowed - self.promotional)


@dataclass(frozen=True, slots=True)
class MemberOverview:
    """What a member sees about themselves."""

    member: str
    newcomer: bool
    introduced: bool
    budget: Budget
    requests: list[RequestRow]


@dataclass(frozen=True, slots=True)
class OwnerOverview:
    """What an owner sees: the pending queue and the community's health."""

    pending: list[RequestRow]
    stats: dict[str, Any]


def promotion_budget(rulebook: Rulebook, promotional: int, posts: int) -> Budget:
    """The budget as the self_promo_ratio rule computes it: max(min_allowed, share x posts)."""
    config = rulebook.rules.self_promo_ratio
    allowed = int(max(float(config.min_allowed), config.max_share * posts))
    return Budget(promotional, posts, allowed, config.window_days)


async def request_detail(engine: AsyncEngine, community: str, request: int) -> RequestRow | None:
    """One request of one community, or None."""
    async with engine.connect() as conn:
        return await CommunityRepositories(UnitOfWork(conn), community).requests.get(request)


async def owner_overview(engine: AsyncEngine, community: str, limit: int = 20) -> OwnerOverview:
    """The oldest pending requests and the community's stats."""
    async with engine.connect() as conn:
        repo = CommunityRepositories(UnitOfWork(conn), community)
        return OwnerOverview(await repo.requests.pending(limit), await repo.stats())


async def member_overview(
    engine: AsyncEngine, rulebook: Rulebook, community: str, member: str, now: datetime
) -> MemberOverview:
    """A member's introduction, 90/10 budget and their own recent requests."""
    posts_window = timedelta(days=rulebook.rules.self_promo_ratio.window_days)
    notes_window = timedelta(days=rulebook.notes.escalate_window_days)
    async with engine.connect() as conn:
        repo = CommunityRepositories(UnitOfWork(conn), community)
        state = await repo.members.load(member, now, posts_window, notes_window)
        requests = await repo.requests.of_member(member, limit=10)
    if state is None:
        empty = promotion_budget(rulebook, 0, 0)
        return MemberOverview(member, False, False, empty, requests)
    state.prune(now, posts_window, notes_window, timedelta(0))
    promo, total = state.window_counts()
    return MemberOverview(
        member,
        state.is_new,
        state.introduced,
        promotion_budget(rulebook, promo, total),
        requests,
    )

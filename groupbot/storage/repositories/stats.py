"""One community's health in figures: newcomers, intro rate, notes, promotion, turnaround."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from groupbot.core.approvals import Status
from groupbot.storage.models import AuditEntry, Member, Post, Request
from groupbot.storage.unit import utc

__all__ = ["community_stats"]


async def community_stats(c: AsyncConnection, community: str) -> dict[str, Any]:
    """The community's health: newcomers, intro rate, notes, promotion share, turnaround."""
    newcomers = await c.scalar(
        select(func.count())
        .select_from(Member)
        .where(Member.community == community, Member.joined_at.is_not(None))
    )
    introduced = await c.scalar(
        select(func.count())
        .select_from(Member)
        .where(
            Member.community == community,
            Member.joined_at.is_not(None),
            Member.introduced_at.is_not(None),
        )
    )
    posts = await c.scalar(
        select(func.count()).select_from(Post).where(Post.community == community)
    )
    promo = await c.scalar(
        select(func.count())
        .select_from(Post)
        .where(Post.community == community, Post.promotional.is_(True))
    )
    counts = dict(
        (
            await c.execute(
                select(AuditEntry.action, func.count())
                .where(AuditEntry.community == community)
                .group_by(AuditEntry.action)
            )
        ).all()
    )
    decided = await c.execute(
        select(Request.created_at, Request.decided_at).where(
            Request.community == community,
            Request.status.in_((Status.APPROVED.value, Status.DENIED.value)),
        )
    )
    waits = sorted((utc(d) - utc(cr)).total_seconds() / 3600 for cr, d in decided if d is not None)
    statuses = dict(
        (
            await c.execute(
                select(Request.status, func.count())
                .where(Request.community == community)
                .group_by(Request.status)
            )
        ).all()
    )
    return {
        "newcomers": int(newcomers or 0),
        "introduced": int(introduced or 0),
        "intro_rate": round(int(introduced or 0) / newcomers, 3) if newcomers else None,
        "posts": int(posts or 0),
        "promotional_posts": int(promo or 0),
        "promotional_share": round(int(promo or 0) / posts, 3) if posts else None,
        "welcomes_sent": int(counts.get("welcome", 0)),
        "notes_sent": int(counts.get("etiquette_note", 0)),
        "holds": int(counts.get("hold", 0)),
        "shadow_decisions": int(counts.get("shadow_decision", 0)),
        "requests": {str(k): int(v) for k, v in statuses.items()},
        "median_turnaround_hours": round(waits[len(waits) // 2], 2) if waits else None,
    }

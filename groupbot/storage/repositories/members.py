"""Members of one community, with the rolling windows the rules need loaded beside them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from groupbot.core.state import MemberState
from groupbot.storage.models import AuditEntry, Member, Post
from groupbot.storage.unit import UnitOfWork, utc

__all__ = ["Members"]


class Members:
    """One community's member rows; writes are upserts at the next flush."""

    def __init__(self, uow: UnitOfWork, community: str) -> None:
        self.uow = uow
        self.community = community
        self._c = uow.connection

    async def load(
        self, member: str, now: datetime, post_window: timedelta, note_window: timedelta
    ) -> MemberState | None:
        """A member's state with their rolling windows, or None if unknown."""
        row = (
            await self._c.execute(
                select(Member).where(Member.community == self.community, Member.member == member)
            )
        ).first()
        if row is None:
            return None
        m = row._mapping
        state = MemberState(
            member=member,
            first_seen_at=utc(m["first_seen_at"]),
            name=m["name"],
            joined_at=utc(m["joined_at"]) if m["joined_at"] else None,
            introduced_at=utc(m["introduced_at"]) if m["introduced_at"] else None,
            roles=frozenset(r for r in m["roles"].split(",") if r),
            post_count=m["post_count"],
            own_domains=set(m["own_domains"].split()),
            from_history=bool(m["from_history"]),
        )
        posts = await self._c.execute(
            select(Post.at, Post.promotional)
            .where(
                Post.community == self.community,
                Post.member == member,
                Post.at > now - post_window,
            )
            .order_by(Post.at, Post.id)
        )
        for at, promotional in posts:
            state.add_post(utc(at), bool(promotional))
        notes = await self._c.execute(
            select(AuditEntry.at)
            .where(
                AuditEntry.community == self.community,
                AuditEntry.member == member,
                AuditEntry.action == "etiquette_note",
                AuditEntry.at > now - note_window,
            )
            .order_by(AuditEntry.at)
        )
        state.note_times = [utc(at) for (at,) in notes]
        held = await self._c.execute(
            select(AuditEntry.message).where(
                AuditEntry.community == self.community,
                AuditEntry.member == member,
                AuditEntry.action == "hold",
            )
        )
        state.held = {m for (m,) in held if m}
        return state

    async def unchanged(self, state: MemberState) -> bool:
        """Whether the stored row still says what this state says (no other process wrote it)."""
        row = (
            await self._c.execute(
                select(
                    Member.post_count, Member.joined_at, Member.introduced_at, Member.roles
                ).where(Member.community == self.community, Member.member == state.member)
            )
        ).first()
        if row is None:
            return True  # never stored: no other process has written this member either
        post_count, joined_at, introduced_at, roles = row
        return (
            post_count == state.post_count
            and _same_time(joined_at, state.joined_at)
            and _same_time(introduced_at, state.introduced_at)
            and roles == ",".join(sorted(state.roles))
        )

    def save(self, state: MemberState) -> None:
        """Write the member's row at the next flush."""
        self.uow.member_dirty(self.community, state)


def _same_time(stored: datetime | None, held: datetime | None) -> bool:
    if stored is None or held is None:
        return stored is held
    return utc(stored) == utc(held)

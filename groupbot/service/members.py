"""Member state, cached in memory and loaded from the database on a miss."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

from groupbot.core.rulebook import Rulebook
from groupbot.core.state import MemberState
from groupbot.service.transactions import Transactions
from groupbot.storage.repositories import CommunityRepositories

__all__ = ["MEMBER_CACHE", "Members"]

MEMBER_CACHE = 200_000


class Members:
    """A bounded LRU of member states; a fresh database means a miss is a new member."""

    def __init__(self, rulebook: Rulebook, transactions: Transactions) -> None:
        self.transactions = transactions
        self.rulebook = rulebook  # the settings in force for the event in hand
        self.all_known = False  # every member there is, is in the cache (a fresh database)
        self._states: OrderedDict[tuple[str, str], MemberState] = OrderedDict()

    async def get(
        self, repo: CommunityRepositories, member: str, now: datetime, name: str = ""
    ) -> MemberState:
        """The member's state from the cache, the database, or new (a pre-existing member)."""
        key = (repo.community, member)
        state = self._states.get(key)
        if state is not None:
            self._states.move_to_end(key)
            return state
        if not self.all_known:
            await self.transactions.flush()  # an evicted member may still be buffered
            posts = timedelta(days=self.rulebook.rules.self_promo_ratio.window_days)
            notes = timedelta(days=self.rulebook.notes.escalate_window_days)
            state = await repo.members.load(member, now, posts, notes)
        if state is None:
            state = MemberState(member=member, first_seen_at=now, name=name)
        self._states[key] = state
        if len(self._states) > MEMBER_CACHE:
            self._states.popitem(last=False)
            self.all_known = False  # from now on a cache miss may be a known member
        return state

    def forget(self, community: str, member: str) -> None:
        """Drop one member from the cache."""
        self._states.pop((community, member), None)

    def clear(self) -> None:
        """Forget every cached state (after a rollback)."""
        self._states.clear()
        self.all_known = False

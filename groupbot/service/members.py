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
        # After a refresh (a shared database), cached states are read again before use.
        self._checked: set[tuple[str, str]] | None = None

    async def get(
        self, repo: CommunityRepositories, member: str, now: datetime, name: str = ""
    ) -> MemberState:
        """The member's state from the cache, the database, or new (a pre-existing member)."""
        key = (repo.community, member)
        cached = self._states.get(key)
        if cached is not None and (self._checked is None or key in self._checked):
            self._states.move_to_end(key)
            return cached
        state = None
        posts = timedelta(days=self.rulebook.rules.self_promo_ratio.window_days)
        notes = timedelta(days=self.rulebook.notes.escalate_window_days)
        if cached is not None:  # cached, but another process may have changed the member
            if await repo.members.unchanged(cached):  # the usual case: one small read
                self._checked_add(key)
                self._states.move_to_end(key)
                return cached
            state = await repo.members.load(member, now, posts, notes)
        elif not self.all_known:
            await self.transactions.flush()  # an evicted member may still be buffered
            state = await repo.members.load(member, now, posts, notes)
        if state is None:
            state = cached or MemberState(member=member, first_seen_at=now, name=name)
        elif cached is not None:
            _keep_recent(state, cached)
        self._checked_add(key)
        self._states[key] = state
        self._states.move_to_end(key)
        if len(self._states) > MEMBER_CACHE:
            self._states.popitem(last=False)
            self.all_known = False  # from now on a cache miss may be a known member
        return state

    def _checked_add(self, key: tuple[str, str]) -> None:
        if self._checked is not None:
            self._checked.add(key)

    def forget(self, community: str, member: str) -> None:
        """Drop one member from the cache."""
        self._states.pop((community, member), None)

    def refresh(self) -> None:
        """Read members again before their next use, keeping what only memory holds."""
        self._checked = set()

    def clear(self) -> None:
        """Forget every cached state (after a rollback)."""
        self._states.clear()
        self.all_known = False


def _keep_recent(state: MemberState, cached: MemberState) -> None:
    """Carry what only memory holds from a cached state to one read from the database."""
    state.copies = cached.copies
    state.noted = cached.noted
    state.blast_until = cached.blast_until
    state.blast_request = cached.blast_request
    state.promo_domains = cached.promo_domains

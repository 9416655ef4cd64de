"""A member's state as the engine sees it: join, introduction, rolling windows."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

__all__ = ["MemberState", "RecentCopy"]


class RecentCopy(NamedTuple):
    """A recent post kept briefly in memory for cross-post detection (one made per post)."""

    at: datetime
    channel: str
    message: str
    fingerprint: str


@dataclass(slots=True)
class MemberState:
    """Everything the rules need to know about one member."""

    member: str
    first_seen_at: datetime
    name: str = ""
    joined_at: datetime | None = None
    introduced_at: datetime | None = None
    roles: frozenset[str] = frozenset()
    post_count: int = 0
    own_domains: set[str] = field(default_factory=set)
    posts: deque[tuple[datetime, bool]] = field(default_factory=deque)
    copies: deque[RecentCopy] = field(default_factory=deque)
    note_times: deque[datetime] = field(default_factory=deque)
    promo_domains: dict[str, int] = field(default_factory=dict)
    held: set[str] = field(default_factory=set)
    noted: dict[str, frozenset[str]] = field(default_factory=dict)  # message -> rules noted
    blast_until: datetime | None = None  # a noted cross-post blast: later copies join it quietly
    blast_request: int | None = None
    promo_in_window: int = 0
    from_history: bool = False  # seen in the history read at install: there before the bot

    @property
    def is_new(self) -> bool:
        """True for members whose join the bot saw (not there before it)."""
        return self.joined_at is not None

    def arrive(self, now: datetime) -> bool:
        """Record a join; False for a member seen in the history read (there before the bot)."""
        if self.from_history and self.joined_at is None:
            return False
        self.joined_at = now
        return True

    @property
    def introduced(self) -> bool:
        """True once the member has introduced themselves."""
        return self.introduced_at is not None

    def display_name(self) -> str:
        """The member's name, or their id when no name is known."""
        return self.name or self.member

    def watched(self, now: datetime, first_posts: int, first_days: int) -> bool:
        """Whether the first-post watch applies: new, and early or not yet introduced."""
        if self.joined_at is None:
            return False
        if not self.introduced:
            return True
        early = self.post_count < first_posts and now - self.joined_at < timedelta(days=first_days)
        return early

    def add_post(self, at: datetime, promotional: bool) -> None:
        """Count a post in the rolling window."""
        self.posts.append((at, promotional))
        self.promo_in_window += promotional

    def prune(self, now: datetime, posts: timedelta, notes: timedelta, copies: timedelta) -> None:
        """Forget window entries older than their rolling windows."""
        horizon = now - posts
        while self.posts and self.posts[0][0] <= horizon:
            self.promo_in_window -= self.posts.popleft()[1]
        horizon = now - notes
        while self.note_times and self.note_times[0] <= horizon:
            self.note_times.popleft()
        horizon = now - copies
        while self.copies and self.copies[0].at < horizon:
            self.copies.popleft()

    def window_counts(self) -> tuple[int, int]:
        """(promotional posts, all posts) in the current window."""
        return self.promo_in_window, len(self.posts)

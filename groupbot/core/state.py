"""A member's state as the engine sees it: join, introduction, rolling windows."""

from __future__ import annotations

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
    # Oldest first. Lists, not deques: most members' are short or empty, and an empty deque
    # takes 760 bytes (a list 56), several times over for each of the members a replay keeps.
    posts: list[tuple[datetime, bool]] = field(default_factory=list)
    copies: list[RecentCopy] = field(default_factory=list)
    note_times: list[datetime] = field(default_factory=list)
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
        if self.posts and self.posts[0][0] <= horizon:
            old = 0
            for at, promotional in self.posts:
                if at > horizon:
                    break
                old += 1
                self.promo_in_window -= promotional
            del self.posts[:old]
        horizon = now - notes
        if self.note_times and self.note_times[0] <= horizon:
            self.note_times = [at for at in self.note_times if at > horizon]
        horizon = now - copies
        if self.copies and self.copies[0].at < horizon:
            self.copies = [copy for copy in self.copies if copy.at >= horizon]

    def window_counts(self) -> tuple[int, int]:
        """(promotional posts, all posts) in the current window."""
        return self.promo_in_window, len(self.posts)

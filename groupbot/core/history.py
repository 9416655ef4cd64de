"""The history read (at install, or of a channel joined): bounds, messages, where it picks up."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from groupbot.core.events import MessagePosted
from groupbot.core.rulebook import Rulebook

__all__ = ["HistoryBounds", "PastMessage", "Progress", "bounds"]


@dataclass(frozen=True, slots=True)
class HistoryBounds:
    """How much of the past may be read: since when, until when, how many channels and posts."""

    since: datetime
    until: datetime  # the read's start: later messages reach the bot as live events
    max_channels: int
    max_per_channel: int


def bounds(rulebook: Rulebook, now: datetime) -> HistoryBounds:
    """The bounds a community's `[history]` settings ask for, read at `now`."""
    h = rulebook.history
    return HistoryBounds(now - timedelta(days=h.days), now, h.max_channels, h.max_per_channel)


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a read got: channels finished, and the last message read in the current one."""

    done: tuple[str, ...] = ()
    channel: str = ""
    after: str = ""  # the platform's id or timestamp of the last message read in `channel`

    def encode(self) -> str:
        """As stored in the claim row."""
        return json.dumps({"done": list(self.done), "channel": self.channel, "after": self.after})

    @classmethod
    def decode(cls, cursor: str) -> Progress:
        """From the claim row; an empty or unreadable cursor starts from the beginning."""
        try:
            raw = json.loads(cursor) if cursor else {}
            done = tuple(str(c) for c in raw.get("done", ()))
            return cls(done, str(raw.get("channel", "")), str(raw.get("after", "")))
        except (ValueError, AttributeError, TypeError):
            return cls()

    def resume_after(self, channel: str) -> str:
        """The last message read in `channel`, if the read stopped inside it."""
        return self.after if channel == self.channel else ""

    def finished(self, channel: str) -> Progress:
        """Progress once `channel` has been read to its end."""
        return Progress((*self.done, channel))

    def with_done(self, channels: Iterable[str]) -> Progress:
        """Progress with these channels counted as read (by reads of their own)."""
        more = tuple(c for c in channels if c not in self.done)
        return Progress((*self.done, *more), self.channel, self.after)

    def at(self, channel: str, after: str) -> Progress:
        """Progress once the message `after` of `channel` has been read."""
        return Progress(self.done, channel, after)


@dataclass(frozen=True, slots=True)
class PastMessage:
    """A message posted before the bot was there, and the progress once it is read."""

    post: MessagePosted | None  # None: progress only (a channel read to its end)
    cursor: str

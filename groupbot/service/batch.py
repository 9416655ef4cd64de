"""One event in a group commit: its actions, and a way to wait until it is stored."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from groupbot.core.actions import Action
from groupbot.core.events import Event

__all__ = ["Entry"]


@dataclass(slots=True)
class Entry:
    """An event handled in the open transaction, not yet known to be stored."""

    event: Event
    out: list[Action]
    done: asyncio.Future[list[Action]] | None = None  # awaited by its caller (group commit)
    settled: bool = field(default=False)
    error: BaseException | None = None

    @classmethod
    def waited(cls, event: Event, out: list[Action]) -> Entry:
        """An entry whose caller waits for the commit."""
        return cls(event, out, asyncio.get_running_loop().create_future())

    def finish(self, out: list[Action]) -> None:
        """Stored (or kept as a failed event, with no actions): its caller may go on."""
        self.out = out
        self.settled = True
        if self.done is not None and not self.done.done():
            self.done.set_result(out)

    def fail(self, error: BaseException) -> None:
        """Neither stored nor kept: its caller raises (the platform will retry it)."""
        self.settled = True
        self.error = error
        if self.done is not None and not self.done.done():
            self.done.set_exception(error)
            # Its caller may have raised before waiting (the database went away under it):
            # retrieved here, so asyncio does not log it as "never retrieved".
            self.done.add_done_callback(asyncio.Future.exception)

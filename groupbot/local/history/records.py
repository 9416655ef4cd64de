"""What an export reader yields: one record per join, post, edit or deletion, and its problems."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import IO, Literal, NamedTuple

__all__ = ["OWNER", "Problems", "Record", "RecordKind"]

RecordKind = Literal["join", "post", "edit", "delete", "command"]
OWNER = frozenset({"owner"})


class Record(NamedTuple):
    """One thing that happened in a channel, as read from an export.

    `context` is the message it answers (a thread's parent or a reply's reference), `thread` the
    thread it sits in, `mentions` the members it mentions. A named tuple, immutable and several
    times cheaper to make than a frozen dataclass: a backtest makes one per message twice.
    """

    kind: RecordKind
    at: datetime
    channel: str
    member: str
    message: str = ""
    text: str = ""
    name: str = ""
    roles: frozenset[str] = frozenset()
    context: str | None = None
    thread: str | None = None
    mentions: tuple[str, ...] = ()


class Problems:
    """Damaged files and messages: each reported once on standard error, counted for the exit."""

    def __init__(self, errors: IO[str] | None = None) -> None:
        self.errors = errors if errors is not None else sys.stderr
        self.count = 0

    def report(self, where: str, what: str) -> None:
        """One line naming the file (or member of the ZIP), the position and what is wrong."""
        self.count += 1
        # Parser messages can run over lines and quote the raw bytes: the first line says it.
        first = next(iter(what.strip().splitlines()), "damaged")
        self.errors.write(f"{where}: {first.rstrip()}\n")
        self.errors.flush()

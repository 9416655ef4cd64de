"""Rows of a private database held between commits: written before a read, or at the end."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table

from groupbot.core.state import MemberState

__all__ = ["HeldRows", "MemberKey", "Values", "check_keys", "member_row"]

MemberKey = tuple[str, str]
Values = tuple[tuple[str, ...], list[tuple[Any, ...]]]  # column keys, rows in their order


def check_keys(target: Table, expected: tuple[str, ...], keys: tuple[str, ...]) -> None:
    """Rows of one table given as values all follow the same column keys."""
    if keys is not expected and keys != expected:
        raise ValueError(f"rows of {target.name} buffered with other keys: {keys}")


def member_row(community: str, state: MemberState) -> dict[str, Any]:
    """The members table's row for a member's state, as the upsert writes it."""
    return {
        "community": community,
        "member": state.member,
        "name": state.name,
        "joined_at": state.joined_at,
        "first_seen_at": state.first_seen_at,
        "introduced_at": state.introduced_at,
        "roles": ",".join(sorted(state.roles)) if state.roles else "",
        "post_count": state.post_count,
        "own_domains": " ".join(sorted(state.own_domains))[:1000] if state.own_domains else "",
        "from_history": state.from_history,
    }


class HeldRows:
    """The rows committed but not yet written: members' as at their last commit, and the
    rows of the tables named (written once per event, as values).

    A private database (a backtest's, read by no other process) need not have these rows
    until something reads their tables: the bot reads its own cache. Each commit keeps
    them here instead of writing them; the next flush before a read, or the last commit,
    writes them. They stay here until that transaction commits, so a rollback loses none.
    """

    def __init__(self, tables: tuple[Table, ...] = ()) -> None:
        self.tables = tables
        self.members: dict[MemberKey, dict[str, Any]] = {}
        self.values: dict[Table, Values] = {}
        self.written = False  # by the open transaction, not yet committed

    def __bool__(self) -> bool:
        return bool(self.members or self.values)

    def kept(self, members: dict[MemberKey, dict[str, Any]], values: dict[Table, Values]) -> None:
        """The open transaction committed: what it wrote is stored, these are held now."""
        if self.written:
            self.members.clear()
            self.values.clear()
            self.written = False
        self.members.update(members)
        for target, (keys, rows) in values.items():
            held = self.values.setdefault(target, (keys, []))
            check_keys(target, held[0], keys)
            held[1].extend(rows)

    def rolled_back(self) -> None:
        """The open transaction was abandoned: what it wrote of these is not stored."""
        self.written = False

    def forget_before(self, moment: datetime, column: str = "at") -> int:
        """Drop held rows whose `column` is before `moment` (no read will want them); how many."""
        dropped = 0
        for target, (keys, rows) in list(self.values.items()):
            where = keys.index(column)
            kept = [row for row in rows if row[where] >= moment]
            dropped += len(rows) - len(kept)
            if kept:
                self.values[target] = (keys, kept)
            else:
                del self.values[target]
        return dropped

"""Member rows of a private database, held between commits: written before a read, or at the end."""

from __future__ import annotations

from typing import Any

from groupbot.core.state import MemberState

__all__ = ["HeldMembers", "MemberKey", "member_row"]

MemberKey = tuple[str, str]


def member_row(community: str, state: MemberState) -> dict[str, Any]:
    """The members table's row for a member's state, as the upsert writes it."""
    return {
        "community": community,
        "member": state.member,
        "name": state.name,
        "joined_at": state.joined_at,
        "first_seen_at": state.first_seen_at,
        "introduced_at": state.introduced_at,
        "roles": ",".join(sorted(state.roles)),
        "post_count": state.post_count,
        "own_domains": " ".join(sorted(state.own_domains))[:1000],
        "from_history": state.from_history,
    }


class HeldMembers:
    """The rows of members committed but not yet written, as they were at their last commit.

    A private database (a backtest's, read by no other process) need not have a member's
    row until something reads the members table: the bot reads its own cache. Each commit
    keeps the rows of the members it changed here instead of upserting them; the next flush
    before a read, or the last commit, writes them. They stay here until that transaction
    commits, so a rollback loses none of them.
    """

    def __init__(self) -> None:
        self.rows: dict[MemberKey, dict[str, Any]] = {}
        self.written = False  # by the open transaction, not yet committed

    def kept(self, rows: dict[MemberKey, dict[str, Any]]) -> None:
        """The open transaction committed: what it wrote is stored, its `rows` are held now."""
        if self.written:
            self.rows.clear()
            self.written = False
        self.rows.update(rows)

    def rolled_back(self) -> None:
        """The open transaction was abandoned: what it wrote of these is not stored."""
        self.written = False

"""What the bot does, as records carried by the replay output, the audit log and the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["COMMAND_ANSWERS", "DELIVERED_ACTIONS", "Action", "format_time"]

# Answers to a command, shown only to the member who gave it.
COMMAND_ANSWERS = frozenset(
    {
        "command_rejected",
        "command_reply",
        "queue_listed",
        "shadow_mode_changed",
        "member_forgotten",
        "stats_reported",
    }
)
# Actions that put a message in front of someone (or change a post) and so go through the outbox.
DELIVERED_ACTIONS = frozenset(
    {
        "welcome",
        "etiquette_note",
        "hold",
        "owners_notified",
        "published",
        "request_approved",
        "request_denied",
        "request_expired",
        "owners_reminded",
        "owners_alerted",
        "request_decided",
        *COMMAND_ANSWERS,
    }
)


def format_time(at: datetime) -> str:
    """ISO 8601 in UTC with a trailing Z, as the replay input writes it."""
    at = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    text = at.isoformat(timespec="microseconds" if at.microsecond else "seconds")
    return text.replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Action:
    """One action the bot took: a kind, when, where, and its fields."""

    action: str
    at: datetime
    community: str
    fields: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The contract's flat JSON object for this action."""
        return {
            "at": format_time(self.at),
            "community": self.community,
            "action": self.action,
            **self.fields,
        }

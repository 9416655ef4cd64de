"""The approval queue's rules: who decides, request ids, and the lifecycle."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "Status",
    "parse_request_id",
    "refusal_for_decided",
]


class Status(StrEnum):
    """Request lifecycle: pending -> approved | denied | expired | withdrawn."""

    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


def parse_request_id(arg: str) -> int | None:
    """Accept "N" or "#N"; anything else is None."""
    text = arg.strip().removeprefix("#")
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        return None
    value = int(text)
    return value if value > 0 else None


def refusal_for_decided(request: int, status: str, by: str | None) -> str:
    """Why a second decision is refused."""
    if status in (Status.APPROVED, Status.DENIED):
        who = f" by {by}" if by else ""
        return f"Request #{request} was already {status}{who}."
    return f"Request #{request} is {status} and can no longer be decided."

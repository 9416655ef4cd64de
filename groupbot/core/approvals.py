"""The approval queue's rules: who decides, request ids, and the lifecycle."""

from __future__ import annotations

from enum import StrEnum

from groupbot.core.i18n import say

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


def refusal_for_decided(request: int, status: str, by: str | None, language: str = "en") -> str:
    """Why a second decision is refused."""
    if status in (Status.APPROVED, Status.DENIED):
        key = f"refusal.already_{status}" + ("_by" if by else "")
        return say(language, key, request=request, by=by or "")
    if status in (Status.EXPIRED, Status.WITHDRAWN):
        return say(language, f"refusal.closed.{status}", request=request)
    return say(language, "refusal.closed", request=request, status=status)

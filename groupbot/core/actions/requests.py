"""Actions of the approval lifecycle that reach the member who asked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from groupbot.core.actions.base import Action

__all__ = [
    "ApprovalRequested",
    "PassGranted",
    "Published",
    "RequestApproved",
    "RequestDenied",
    "RequestExpired",
    "RequestWithdrawn",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ApprovalRequested(Action):
    """A request is queued for the owners (a held post, or a /share)."""

    KIND: ClassVar[str] = "approval_requested"

    request: int
    member: str
    message: str | None
    channel: str
    rule: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Published(Action):
    """An approved post, published by the bot with attribution."""

    KIND: ClassVar[str] = "published"
    DELIVERED: ClassVar[bool] = True

    request: int
    member: str
    channel: str
    text: str
    by: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PassGranted(Action):
    """An approval that lets the member post it themselves, once."""

    KIND: ClassVar[str] = "pass_granted"

    request: int
    member: str
    channel: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestApproved(Action):
    """The member is told their request was approved."""

    KIND: ClassVar[str] = "request_approved"
    DELIVERED: ClassVar[bool] = True

    request: int
    member: str
    by: str
    note: str | None
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestDenied(Action):
    """The member is told, kindly, why their request was denied."""

    KIND: ClassVar[str] = "request_denied"
    DELIVERED: ClassVar[bool] = True

    request: int
    member: str
    reason: str
    by: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestExpired(Action):
    """Nobody decided in time: the member is told the request lapsed."""

    KIND: ClassVar[str] = "request_expired"
    DELIVERED: ClassVar[bool] = True

    request: int
    member: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestWithdrawn(Action):
    """The member withdrew their own pending request."""

    KIND: ClassVar[str] = "request_withdrawn"

    request: int
    member: str

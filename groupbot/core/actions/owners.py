"""Actions that reach the owners: new requests, reminders, alerts and decided copies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from groupbot.core.actions.base import Action

__all__ = [
    "DeliveryGivenUp",
    "FirstRunGuide",
    "OwnerNotice",
    "OwnersAlerted",
    "OwnersNotified",
    "OwnersReminded",
    "RequestDecided",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class OwnersNotified(Action):
    """The owners are told of a pending request, with approve and deny."""

    KIND: ClassVar[str] = "owners_notified"
    DELIVERED: ClassVar[bool] = True

    request: int
    member: str
    member_name: str
    channel: str
    rule: str | None
    via: str  # "channel" (the moderators' channel) or "dm"
    moderators_channel: str | None
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OwnersReminded(Action):
    """A request is still waiting: the owners are reminded before it lapses."""

    KIND: ClassVar[str] = "owners_reminded"
    DELIVERED: ClassVar[bool] = True

    request: int
    member: str
    expires_at: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OwnersAlerted(Action):
    """A member has had several notes: a personal word from an owner may help."""

    KIND: ClassVar[str] = "owners_alerted"
    DELIVERED: ClassVar[bool] = True

    member: str
    notes: int
    window_days: int
    rule: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestDecided(Action):
    """How a request was decided, so the owners' copies of it are updated."""

    KIND: ClassVar[str] = "request_decided"
    DELIVERED: ClassVar[bool] = True

    request: int
    status: str
    member: str
    by: str | None
    note: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryGivenUp(Action):
    """A message the platform kept refusing was given up: the owners are told where to look."""

    KIND: ClassVar[str] = "delivery_given_up"
    DELIVERED: ClassVar[bool] = True

    outbox: int  # the outbox row given up (`groupbot outbox retry ID` sends it again)
    failed_action: str
    attempts: int
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FirstRunGuide(Action):
    """The installer is told, once, how groupbot starts and how to change it (a DM)."""

    KIND: ClassVar[str] = "first_run_guide"
    DELIVERED: ClassVar[bool] = True

    member: str
    intro: tuple[str, ...]
    moderators: str | None
    shadow_until: str | None  # when the first-run shadow period ends, if there is one
    text: str


OwnerNotice = OwnersNotified | OwnersReminded | OwnersAlerted | RequestDecided | DeliveryGivenUp

"""Answers to a command, shown only to the member who gave it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from groupbot.core.actions.base import Action

__all__ = [
    "ANSWERS",
    "CommandAnswer",
    "CommandRejected",
    "CommandReply",
    "ConfigChanged",
    "ConfigShown",
    "MemberForgotten",
    "QueueListed",
    "ShadowModeChanged",
    "StatsReported",
]

# Every answer carries member, name, text, and where the command came from (channel, event) so
# the platform can answer in place; each kind declares its fields in the contract's order.


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandRejected(Action):
    """A command refused: not an owner, unknown id, already decided, bad usage."""

    KIND: ClassVar[str] = "command_rejected"
    DELIVERED: ClassVar[bool] = True

    member: str
    name: str
    reason: str
    text: str
    channel: str | None
    event: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandReply(Action):
    """A plain answer (help, a /share receipt)."""

    KIND: ClassVar[str] = "command_reply"
    DELIVERED: ClassVar[bool] = True
    OMIT_IF_NONE: ClassVar[frozenset[str]] = frozenset({"request"})

    member: str
    name: str
    text: str
    request: int | None = None
    channel: str | None
    event: str


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueListed(Action):
    """The pending requests, listed for an owner."""

    KIND: ClassVar[str] = "queue_listed"
    DELIVERED: ClassVar[bool] = True

    member: str
    name: str
    text: str
    requests: tuple[int, ...]
    channel: str | None
    event: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StatsReported(Action):
    """The community's health, for an owner."""

    KIND: ClassVar[str] = "stats_reported"
    DELIVERED: ClassVar[bool] = True

    member: str
    name: str
    text: str
    stats: dict[str, Any]
    channel: str | None
    event: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ShadowModeChanged(Action):
    """An owner switched shadow mode."""

    KIND: ClassVar[str] = "shadow_mode_changed"
    DELIVERED: ClassVar[bool] = True

    member: str
    name: str
    text: str
    shadow: bool
    channel: str | None
    event: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberForgotten(Action):
    """Everything stored about a member was deleted."""

    KIND: ClassVar[str] = "member_forgotten"
    DELIVERED: ClassVar[bool] = True

    member: str
    name: str
    text: str
    forgotten: str
    records: int
    channel: str | None
    event: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigShown(Action):
    """A community's settings (or one of them), shown to an owner or moderator."""

    KIND: ClassVar[str] = "config_shown"
    DELIVERED: ClassVar[bool] = True

    member: str
    name: str
    key: str | None
    text: str
    channel: str | None
    event: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigChanged(Action):
    """An owner or moderator changed one setting (or reset it to the deployment's default)."""

    KIND: ClassVar[str] = "config_changed"
    DELIVERED: ClassVar[bool] = True

    member: str
    name: str
    key: str
    value: Any
    previous: Any
    reset: bool
    text: str
    channel: str | None
    event: str


CommandAnswer = (
    CommandRejected
    | CommandReply
    | QueueListed
    | StatsReported
    | ShadowModeChanged
    | MemberForgotten
    | ConfigShown
    | ConfigChanged
)
ANSWERS = (
    CommandRejected,
    CommandReply,
    QueueListed,
    StatsReported,
    ShadowModeChanged,
    MemberForgotten,
    ConfigShown,
    ConfigChanged,
)

"""Actions about one member: welcomes, introductions, notes, holds, shadow decisions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from groupbot.core.actions.base import Action, Evidence, Reason

__all__ = ["EtiquetteNote", "Hold", "Introduced", "ShadowDecision", "Welcome"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Welcome(Action):
    """A personal welcome: a DM, or a channel post (one post may greet a batch)."""

    KIND: ClassVar[str] = "welcome"
    DELIVERED: ClassVar[bool] = True
    OMIT_IF_NONE: ClassVar[frozenset[str]] = frozenset({"channel", "batch"})

    member: str
    text: str
    via: str  # "dm" or "channel"
    channel: str | None = None
    batch: tuple[str, ...] | None = None  # every member one channel post greets


@dataclass(frozen=True, slots=True, kw_only=True)
class Introduced(Action):
    """A member is marked as introduced."""

    KIND: ClassVar[str] = "introduced"

    member: str
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EtiquetteNote(Action):
    """The gentle private note: the post quoted, which rules, why, and how to ask."""

    KIND: ClassVar[str] = "etiquette_note"
    DELIVERED: ClassVar[bool] = True

    member: str
    message: str
    rule: str
    rules: tuple[str, ...]
    text: str
    findings: tuple[Evidence, ...]
    reasons: tuple[Reason, ...]
    channel: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Hold(Action):
    """A post removed pending approval (or its author asked to remove it)."""

    KIND: ClassVar[str] = "hold"
    DELIVERED: ClassVar[bool] = True

    member: str
    message: str
    channel: str
    request: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ShadowDecision(Action):
    """What the bot would have done, recorded in shadow mode and sent to nobody."""

    KIND: ClassVar[str] = "shadow_decision"
    OMIT_IF_NONE: ClassVar[frozenset[str]] = frozenset(
        {"message", "rule", "rules", "findings", "reasons"}
    )

    member: str
    message: str | None = None
    rule: str | None = None
    rules: tuple[str, ...] | None = None
    would: tuple[str, ...]
    findings: tuple[Evidence, ...] | None = None
    reasons: tuple[Reason, ...] | None = None

"""Which port method carries each owed action, and the fallbacks a platform's capabilities allow."""

from __future__ import annotations

from groupbot.core.actions import (
    Action,
    CommandAnswer,
    CommandRejected,
    CommandReply,
    ConfigChanged,
    ConfigShown,
    DeliveryGivenUp,
    EtiquetteNote,
    FirstRunGuide,
    Hold,
    MemberForgotten,
    OwnersAlerted,
    OwnersNotified,
    OwnersReminded,
    Published,
    QueueListed,
    RequestApproved,
    RequestDecided,
    RequestDenied,
    RequestExpired,
    ShadowModeChanged,
    StatsReported,
    Welcome,
)
from groupbot.core.ports import DeliveryError, Platform

__all__ = ["deliver"]


async def deliver(platform: Platform, action: Action) -> None:
    """Carry out one owed action through the platform port; unknown kinds fail loudly."""
    match action:
        case Welcome(via="channel"):
            await platform.post(action)
        case Welcome() | RequestApproved() | RequestDenied() | RequestExpired() | FirstRunGuide():
            await platform.send_direct(action)
        case EtiquetteNote():
            await _note(platform, action)
        case Hold():
            await platform.remove(action)
        case Published():
            await platform.post(action)
        case (
            OwnersNotified()
            | OwnersReminded()
            | OwnersAlerted()
            | RequestDecided()
            | DeliveryGivenUp()
        ):
            await platform.notify_owners(action)
        case (
            CommandRejected()
            | CommandReply()
            | QueueListed()
            | StatsReported()
            | ShadowModeChanged()
            | MemberForgotten()
            | ConfigShown()
            | ConfigChanged()
        ):
            await _answer(platform, action)
        case _:
            raise DeliveryError(f"no delivery for action {action.kind!r}", retry=False)


async def _note(platform: Platform, note: EtiquetteNote) -> None:
    """A DM; where it cannot be delivered, a whisper in the post's channel if the platform can."""
    try:
        await platform.send_direct(note)
    except DeliveryError as exc:
        if exc.retry or not (platform.capabilities.whisper and note.channel):
            raise
        await platform.whisper(note)


async def _answer(platform: Platform, answer: CommandAnswer) -> None:
    """In place (ephemeral) where the platform can; else, or if that fails for good, a DM."""
    if platform.capabilities.whisper:
        try:
            await platform.whisper(answer)
            return
        except DeliveryError as exc:
            if exc.retry:
                raise
    await platform.send_direct(answer)

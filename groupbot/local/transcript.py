"""Readable one-line descriptions of events and actions, for the demo and the console."""

from __future__ import annotations

from groupbot.core.actions import (
    Action,
    ApprovalRequested,
    CommandRejected,
    EtiquetteNote,
    Hold,
    Introduced,
    OwnersNotified,
    Published,
    RequestApproved,
    RequestDecided,
    RequestDenied,
    RequestExpired,
    ShadowDecision,
    Welcome,
)
from groupbot.core.events import CommandIssued, Event, MemberJoined, MessageEdited, MessagePosted

__all__ = ["describe_action", "describe_event"]


def _indent(text: str) -> str:
    return text.replace("\n", "\n      ")


def describe_event(event: Event, names: dict[str, str]) -> str:
    """What a member did, as the transcript shows it."""
    who = names.get(event.member, event.member)
    match event:
        case MemberJoined():
            roles = f" ({', '.join(sorted(event.roles))})" if event.roles else ""
            return f"{who} joins{roles}"
        case MessagePosted():
            return f"{who} in #{event.channel}: {event.text}"
        case MessageEdited():
            return f"{who} edits their post in #{event.channel}: {event.text}"
        case CommandIssued():
            return f"{who} runs /{event.name} {' '.join(event.args)}".rstrip()


def describe_action(action: Action, names: dict[str, str]) -> str:
    """What the bot did, as the transcript shows it."""
    f = action.fields()

    def who(key: str = "member") -> str:
        member = f.get(key)
        return names.get(str(member), str(member))

    match action:
        case Welcome():
            where = f"posts in #{action.channel}" if action.via == "channel" else "DMs"
            return f"groupbot {where} to welcome {who()}: {_indent(action.text)}"
        case Introduced():
            return f"groupbot marks {who()} as introduced"
        case EtiquetteNote():
            return f"groupbot DMs {who()} a gentle note [{action.rule}]: {_indent(action.text)}"
        case Hold():
            return f"groupbot holds {who()}'s post {action.message} (request #{action.request})"
        case ApprovalRequested():
            return f"groupbot queues request #{action.request} for {who()}"
        case OwnersNotified():
            return f"groupbot tells the owners: {action.text}"
        case Published():
            return (
                f"groupbot publishes request #{action.request} in #{action.channel}: {action.text}"
            )
        case RequestDenied() | RequestApproved() | RequestExpired():
            return f"groupbot tells {who()}: {action.text}"
        case CommandRejected():
            return f"groupbot refuses {who()}'s /{action.name}: {action.reason}"
        case RequestDecided():
            by = f" by {who('by')}" if action.by else ""
            return f"groupbot updates the owners' notice of request #{action.request}: " + (
                f"{action.status}{by}"
            )
        case ShadowDecision():
            return f"groupbot (shadow mode) would {', '.join(action.would)} for {who()}"
        case _ if "text" in f:
            return f"groupbot [{action.kind}] → {who()}: {_indent(str(f['text']))}"
        case _:
            return f"groupbot [{action.kind}] {f}"

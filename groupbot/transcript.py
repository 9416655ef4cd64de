"""Readable one-line descriptions of events and actions, for the demo and the console."""

from __future__ import annotations

from groupbot.core.actions import Action
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
    f = action.fields

    def who(key: str = "member") -> str:
        member = f.get(key)
        return names.get(str(member), str(member))

    match action.action:
        case "welcome":
            where = f"posts in #{f.get('channel')}" if f.get("via") == "channel" else "DMs"
            return f"groupbot {where} to welcome {who()}: {_indent(f['text'])}"
        case "introduced":
            return f"groupbot marks {who()} as introduced"
        case "etiquette_note":
            return f"groupbot DMs {who()} a gentle note [{f['rule']}]: {_indent(f['text'])}"
        case "hold":
            return f"groupbot holds {who()}'s post {f['message']} (request #{f['request']})"
        case "approval_requested":
            return f"groupbot queues request #{f['request']} for {who()}"
        case "owners_notified":
            return f"groupbot tells the owners: {f['text']}"
        case "published":
            return f"groupbot publishes request #{f['request']} in #{f['channel']}: {f['text']}"
        case "request_denied" | "request_approved" | "request_expired":
            return f"groupbot tells {who()}: {f['text']}"
        case "command_rejected":
            return f"groupbot refuses {who()}'s /{f['name']}: {f['reason']}"
        case "request_decided":
            by = f" by {who('by')}" if f.get("by") else ""
            return (
                f"groupbot updates the owners' notice of request #{f['request']}: {f['status']}{by}"
            )
        case "shadow_decision":
            return f"groupbot (shadow mode) would {', '.join(f['would'])} for {who()}"
        case _ if "text" in f:
            return f"groupbot [{action.action}] → {who()}: {_indent(str(f['text']))}"
        case _:
            return f"groupbot [{action.action}] {f}"

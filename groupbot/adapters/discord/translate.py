"""Gateway objects in, platform-neutral core events out: the edge of the Discord adapter."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import discord

from groupbot.core.clean import clean_event
from groupbot.core.events import CommandIssued, MemberJoined, MessageEdited, MessagePosted
from groupbot.core.rulebook import Rulebook

__all__ = [
    "channel_name",
    "command_event",
    "edit_event",
    "is_owner",
    "join_event",
    "message_event",
    "roles_of",
]


def is_owner(member: discord.Member | discord.User, rulebook: Rulebook) -> bool:
    """Manage Server, or a member or role the rulebook names."""
    if not isinstance(member, discord.Member):
        return False
    if member.guild_permissions.manage_guild:
        return True
    names = frozenset(role.name for role in member.roles if not role.is_default())
    owners = rulebook.owners
    return owners.names_owner(str(member.id), names) or owners.names_moderator(str(member.id))


def roles_of(member: discord.Member | discord.User, rulebook: Rulebook) -> frozenset[str]:
    """The member's role names, plus "owner" when they hold owner rights."""
    if not isinstance(member, discord.Member):
        return frozenset()
    names = {role.name for role in member.roles if not role.is_default()}
    if is_owner(member, rulebook):
        names.add("owner")
    return frozenset(names)


def _said_roles(member: discord.Member | discord.User, rulebook: Rulebook) -> frozenset[str] | None:
    """A guild member's roles as the gateway sent them; None when it sent no member."""
    return roles_of(member, rulebook) if isinstance(member, discord.Member) else None


def channel_name(channel: object) -> str | None:
    """The name the rulebook knows a channel by; threads and forum posts use their parent's."""
    if isinstance(channel, discord.Thread):
        parent = channel.parent
        return parent.name if parent is not None else channel.name
    name = getattr(channel, "name", None)
    return name if isinstance(name, str) else None


def _watched(message: discord.Message) -> bool:
    """A member's own post in a guild: not a bot, a webhook or a system message."""
    return (
        message.guild is not None
        and not message.author.bot
        and message.webhook_id is None
        and not message.is_system()
    )


def _text(message: discord.Message) -> str:
    """The message text, with attachment names (links in them count too)."""
    parts = [message.content]
    parts += [a.url for a in message.attachments]
    return "\n".join(p for p in parts if p)


def _conversation(message: discord.Message) -> dict[str, Any]:
    """Where the message sits: the message it replies to, its thread, the members it mentions."""
    reference = message.reference
    replied = message.type is discord.MessageType.reply and reference is not None
    reply = reference.message_id if replied and reference is not None else None
    channel = message.channel
    # A thread's opening message shares the thread's id; only what follows is "in" the thread.
    in_thread = isinstance(channel, discord.Thread) and channel.id != message.id
    return {
        "reply_to": str(reply) if reply is not None else None,
        "thread": str(channel.id) if in_thread else None,
        "mentions": tuple(dict.fromkeys(str(user.id) for user in message.mentions)),
    }


def message_event(message: discord.Message, rulebook: Rulebook) -> MessagePosted | None:
    """A guild post as MessagePosted, or None when the bot should ignore it."""
    name = channel_name(message.channel)
    if not _watched(message) or name is None or message.guild is None:
        return None
    return clean_event(
        MessagePosted(
            community=str(message.guild.id),
            member=str(message.author.id),
            at=message.created_at,
            event_id=str(message.id),
            channel=name,
            message=str(message.id),
            text=_text(message),
            name=message.author.display_name,
            roles=_said_roles(message.author, rulebook),
            **_conversation(message),
        )
    )


def edit_event(message: discord.Message, rulebook: Rulebook) -> MessageEdited | None:
    """An edited guild post as MessageEdited (one event per edit), or None to ignore it."""
    name = channel_name(message.channel)
    if not _watched(message) or name is None or message.guild is None:
        return None
    edited = message.edited_at or discord.utils.utcnow()
    return clean_event(
        MessageEdited(
            community=str(message.guild.id),
            member=str(message.author.id),
            at=edited,
            event_id=f"edit:{message.id}:{edited.timestamp():.6f}",
            channel=name,
            message=str(message.id),
            text=_text(message),
            name=message.author.display_name,
            roles=_said_roles(message.author, rulebook),
            **_conversation(message),
        )
    )


def join_event(member: discord.Member, rulebook: Rulebook) -> MemberJoined | None:
    """A human joining a guild as MemberJoined; bots are not welcomed."""
    if member.bot:
        return None
    return clean_event(
        MemberJoined(
            community=str(member.guild.id),
            member=str(member.id),
            at=member.joined_at or discord.utils.utcnow(),
            event_id=f"join:{member.guild.id}:{member.id}",
            name=member.display_name,
            roles=roles_of(member, rulebook),
        )
    )


def command_event(
    interaction: discord.Interaction,
    name: str,
    args: tuple[str, ...],
    rulebook: Rulebook,
    at: datetime | None = None,
) -> CommandIssued | None:
    """A slash command, button or modal as CommandIssued; None outside a guild."""
    if interaction.guild_id is None:
        return None
    return clean_event(
        CommandIssued(
            community=str(interaction.guild_id),
            member=str(interaction.user.id),
            at=at or interaction.created_at,
            event_id=str(interaction.id),
            name=name,
            args=args,
            channel=channel_name(interaction.channel),
            display_name=interaction.user.display_name,
            roles=roles_of(interaction.user, rulebook),
        )
    )

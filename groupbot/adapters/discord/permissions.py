"""The smallest Discord permission set the enabled features need, and the invite URL."""

from __future__ import annotations

import discord

from groupbot.core.rulebook import Rulebook

__all__ = ["SCOPES", "holds_enabled", "invite_url", "missing_for_holds", "required_permissions"]

SCOPES = ("bot", "applications.commands")


def holds_enabled(rulebook: Rulebook) -> bool:
    """Whether any enabled rule may hold (remove) a post."""
    rules = rulebook.rules
    scopes = (
        rules.promote_before_introduce,
        rules.self_promo_ratio,
        rules.link_flood,
        rules.cross_post,
    )
    invite = rules.invite_link
    return any(r.enabled and r.hold for r in scopes) or (
        invite.enabled and (invite.hold or invite.hold_watched)
    )


def required_permissions(rulebook: Rulebook) -> discord.Permissions:
    """Read and answer in channels and threads, embeds for owners; Manage Messages for holds."""
    perms = discord.Permissions(
        view_channel=True,
        send_messages=True,
        send_messages_in_threads=True,
        read_message_history=True,
        embed_links=True,
    )
    if holds_enabled(rulebook):
        perms.manage_messages = True
    return perms


def missing_for_holds(perms: discord.Permissions) -> str | None:
    """The name of the permission a hold lacks, or None."""
    return None if perms.manage_messages else "Manage Messages"


def invite_url(application_id: int, rulebook: Rulebook) -> str:
    """The OAuth2 install URL with the bot and applications.commands scopes."""
    return discord.utils.oauth_url(
        application_id, permissions=required_permissions(rulebook), scopes=SCOPES
    )

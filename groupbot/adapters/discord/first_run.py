"""The guided first run on Discord: when the bot joins a server, or first sees one at start."""

from __future__ import annotations

import discord

from groupbot.core.events import Installed
from groupbot.core.rulebook import Rulebook

from .platform import DiscordPlatform

__all__ = ["installation", "installer"]

AUDIT_ENTRIES = 20  # the most recent "bot added" entries looked through for this bot's own


async def installer(guild: discord.Guild) -> int | None:
    """Who added the bot, from the audit log if the bot may read it; else the owner."""
    me = guild.me
    if me is not None and me.guild_permissions.view_audit_log:
        try:
            async for entry in guild.audit_logs(
                limit=AUDIT_ENTRIES, action=discord.AuditLogAction.bot_add
            ):
                target = entry.target
                if target is not None and target.id == me.id and entry.user is not None:
                    return entry.user.id
        except discord.HTTPException:
            pass  # not allowed after all, or Discord is busy: the owner is told instead
    return guild.owner_id


def installation(
    guild: discord.Guild, rulebook: Rulebook, platform: DiscordPlatform, installer: int
) -> Installed:
    """The install as the core sees it: who to tell, the channels the bot's lookup finds."""
    intro = tuple(n for n in rulebook.channels.intro if platform.channel(guild, n) is not None)
    wanted = rulebook.channels.moderators
    found = platform.channel(guild, wanted) if wanted else None
    return Installed(
        str(guild.id),
        str(installer),
        discord.utils.utcnow(),  # the clock the outbox runner goes by (simulated in tests)
        intro=intro,
        moderators=found.name if found is not None else None,
        name=guild.name,
    )

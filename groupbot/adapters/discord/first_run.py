"""The guided first run on Discord: when the bot joins a server, or first sees one at start."""

from __future__ import annotations

import discord

from groupbot.core.events import Installed
from groupbot.core.rulebook import Rulebook

from .platform import DiscordPlatform

__all__ = ["installation"]


def installation(guild: discord.Guild, rulebook: Rulebook, platform: DiscordPlatform) -> Installed:
    """The install as the core sees it: the owner to tell, the channels the bot's lookup finds."""
    intro = tuple(n for n in rulebook.channels.intro if platform.channel(guild, n) is not None)
    wanted = rulebook.channels.moderators
    found = platform.channel(guild, wanted) if wanted else None
    return Installed(
        str(guild.id),
        str(guild.owner_id),
        discord.utils.utcnow(),  # the clock the outbox runner goes by (simulated in tests)
        intro=intro,
        moderators=found.name if found is not None else None,
        name=guild.name,
    )

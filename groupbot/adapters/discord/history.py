"""A server's recent history, read when the bot joins it through the channels it can read."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence

import discord

from groupbot.core.history import HistoryBounds, PastMessage, Progress
from groupbot.core.rulebook import Rulebook
from groupbot.service.warmup import Background, Warmup

from .translate import message_event

__all__ = ["DiscordHistory", "readable_channels", "warm_up", "warm_up_unread"]

log = logging.getLogger(__name__)


def readable_channels(guild: discord.Guild, most: int) -> list[discord.TextChannel]:
    """Text channels whose history the bot may read (View Channel + Read Message History)."""
    me = guild.me
    if me is None:
        return []
    found = []
    for channel in sorted(guild.text_channels, key=lambda c: (c.position, c.id)):
        perms = channel.permissions_for(me)
        if perms.view_channel and perms.read_message_history:
            found.append(channel)
    return found[:most]


class DiscordHistory:
    """Reads a guild's readable text channels, oldest message first, channel by channel."""

    def __init__(self, guild: discord.Guild, rulebook: Rulebook) -> None:
        self.guild = guild
        self.rulebook = rulebook

    async def read(self, bounds: HistoryBounds, cursor: str) -> AsyncIterator[PastMessage]:
        """Every readable past message, resuming after `cursor`."""
        progress = Progress.decode(cursor)
        for channel in readable_channels(self.guild, bounds.max_channels):
            key = str(channel.id)
            if key in progress.done:
                continue
            after = progress.resume_after(key)
            try:
                async for message in channel.history(
                    limit=bounds.max_per_channel,
                    after=discord.Object(int(after)) if after else bounds.since,
                    before=bounds.until,
                    oldest_first=True,
                ):
                    post = message_event(message, self.rulebook)
                    if post is not None:
                        progress = progress.at(key, str(message.id))
                        yield PastMessage(post, progress.encode())
            except (discord.Forbidden, discord.NotFound) as exc:  # permissions changed meanwhile
                log.info("history of channel %s not readable: %s", channel.id, exc.status)
            progress = progress.finished(key)


def warm_up(history: Background, guild: discord.Guild, rulebook: Rulebook) -> None:
    """Start reading a guild's history in the background (the bot just joined it)."""
    history.start(str(guild.id), DiscordHistory(guild, rulebook).read)


async def warm_up_unread(
    history: Background, warmup: Warmup, guilds: Sequence[discord.Guild], rulebook: Rulebook
) -> None:
    """At start-up: warm up the guilds whose history was never read to the end."""
    for guild in guilds:
        if await warmup.needed(str(guild.id)):
            warm_up(history, guild, rulebook)

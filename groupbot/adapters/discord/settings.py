"""`/groupbot settings`: the settings owners change most, as select menus under one message."""

from __future__ import annotations

from typing import Any

import discord

from groupbot.core.rulebook import Rulebook

from .views import runner_of

__all__ = ["SettingsView", "settings_text"]


def settings_text(rulebook: Rulebook) -> str:
    """What is in force now, and where the other settings are."""
    intro = ", ".join(f"#{c}" for c in rulebook.channels.intro) or "none"
    mods = f"#{rulebook.channels.moderators}" if rulebook.channels.moderators else "DMs to owners"
    return "\n".join(
        [
            "**Settings of this server**",
            f"Intro channels: {intro}",
            f"Moderators' channel: {mods}",
            f"Welcome: {rulebook.welcome.mode}",
            f"Shadow mode: {'on' if rulebook.shadow_mode else 'off'}",
            "Change them below; every other setting: `/groupbot config set KEY VALUE`.",
        ]
    )


async def _set(interaction: discord.Interaction, key: str, value: str) -> None:
    """`config set KEY VALUE` on behalf of whoever chose (the core checks their rights)."""
    await runner_of(interaction).run_command(interaction, "config", ("set", key, value))


class SettingsView(discord.ui.View):
    """Channel selects for the intro and moderators' channels; welcome mode; shadow mode."""

    def __init__(self) -> None:
        # Persistent (registered at start-up): menus sent before a restart still answer.
        super().__init__(timeout=None)

    @discord.ui.select(
        cls=discord.ui.ChannelSelect,
        custom_id="groupbot:settings:intro",
        channel_types=[discord.ChannelType.text],
        placeholder="Introduction channels",
        min_values=1,
        max_values=5,
        row=0,
    )
    async def intro(
        self, interaction: discord.Interaction, select: discord.ui.ChannelSelect[Any]
    ) -> None:
        """The channels newcomers introduce themselves in."""
        await _set(interaction, "channels.intro", ", ".join(c.name for c in select.values))

    @discord.ui.select(
        cls=discord.ui.ChannelSelect,
        custom_id="groupbot:settings:moderators",
        channel_types=[discord.ChannelType.text],
        placeholder="Moderators' channel",
        min_values=1,
        max_values=1,
        row=1,
    )
    async def moderators(
        self, interaction: discord.Interaction, select: discord.ui.ChannelSelect[Any]
    ) -> None:
        """Where the owners are told of requests."""
        await _set(interaction, "channels.moderators", select.values[0].name)

    @discord.ui.select(
        custom_id="groupbot:settings:welcome",
        placeholder="How newcomers are welcomed",
        options=[
            discord.SelectOption(label="A channel post (Discord's default)", value="auto"),
            discord.SelectOption(label="A direct message", value="dm"),
            discord.SelectOption(label="A post in the welcome channel", value="channel"),
        ],
        row=2,
    )
    async def welcome(
        self, interaction: discord.Interaction, select: discord.ui.Select[Any]
    ) -> None:
        """Welcome mode."""
        await _set(interaction, "welcome.mode", select.values[0])

    @discord.ui.select(
        custom_id="groupbot:settings:shadow",
        placeholder="Shadow mode",
        options=[
            discord.SelectOption(label="Shadow mode on: record, send nothing", value="true"),
            discord.SelectOption(label="Shadow mode off", value="false"),
        ],
        row=3,
    )
    async def shadow(
        self, interaction: discord.Interaction, select: discord.ui.Select[Any]
    ) -> None:
        """Shadow mode."""
        await _set(interaction, "shadow_mode", select.values[0])

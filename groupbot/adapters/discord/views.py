"""Persistent Approve / Deny buttons and the modals behind Deny and /share."""

from __future__ import annotations

import re
from typing import Any, Protocol, cast

import discord

from groupbot.core.rulebook import Rulebook

__all__ = [
    "ApproveButton",
    "CommandRunner",
    "DenyButton",
    "DenyModal",
    "ShareModal",
    "decision_view",
]

APPROVE_ID = "groupbot:approve:{request}"
DENY_ID = "groupbot:deny:{request}"


class CommandRunner(Protocol):
    """The client side that turns an interaction into a core command."""

    rulebook: Rulebook

    async def run_command(
        self, interaction: discord.Interaction, name: str, args: tuple[str, ...]
    ) -> None:
        """Acknowledge the interaction, hand the command to the core, answer."""

    def owner(self, interaction: discord.Interaction) -> bool:
        """Whether the interaction's user has owner rights here (checked again by the core)."""

    def settings_of(self, interaction: discord.Interaction) -> Rulebook:
        """The settings in force in the interaction's server."""


def runner_of(interaction: discord.Interaction) -> CommandRunner:
    """The groupbot client behind an interaction."""
    return cast(CommandRunner, interaction.client)


class ApproveButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"groupbot:approve:(?P<id>[0-9]+)"
):
    """Approve request N; works on any copy, before and after a restart."""

    def __init__(self, request: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Approve",
                style=discord.ButtonStyle.success,
                custom_id=APPROVE_ID.format(request=request),
            )
        )
        self.request = request

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ApproveButton:
        """Rebuild the button from its custom id."""
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Approve through the core (which checks the clicker's rights)."""
        await runner_of(interaction).run_command(interaction, "approve", (str(self.request),))


class DenyButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"groupbot:deny:(?P<id>[0-9]+)"
):
    """Deny request N: owners get a modal asking for the reason."""

    def __init__(self, request: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Deny",
                style=discord.ButtonStyle.danger,
                custom_id=DENY_ID.format(request=request),
            )
        )
        self.request = request

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> DenyButton:
        """Rebuild the button from its custom id."""
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Owners are asked why; anyone else is refused by the core."""
        runner = runner_of(interaction)
        if runner.owner(interaction):
            await interaction.response.send_modal(DenyModal(self.request))
        else:
            await runner.run_command(interaction, "deny", (str(self.request),))


class DenyModal(discord.ui.Modal):
    """Ask the owner for a kind reason the member will read."""

    reason: discord.ui.TextInput[DenyModal] = discord.ui.TextInput(
        label="Reason (the member will read it)",
        custom_id="reason",
        style=discord.TextStyle.paragraph,
        min_length=1,
        max_length=500,
        placeholder="e.g. Please introduce yourself in #introductions first.",
    )

    def __init__(self, request: int) -> None:
        super().__init__(
            title=f"Deny request #{request}", custom_id=f"groupbot:deny-reason:{request}"
        )
        self.request = request

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Deny with the reason given."""
        await runner_of(interaction).run_command(
            interaction, "deny", (str(self.request), self.reason.value)
        )


class ShareModal(discord.ui.Modal, title="Ask the owners before sharing"):
    """Where and what a member would like to share."""

    channel: discord.ui.TextInput[ShareModal] = discord.ui.TextInput(
        label="Channel", custom_id="channel", min_length=1, max_length=100, placeholder="promotions"
    )
    text: discord.ui.TextInput[ShareModal] = discord.ui.TextInput(
        label="What you'd like to share",
        custom_id="text",
        style=discord.TextStyle.paragraph,
        min_length=1,
        max_length=1800,
    )

    def __init__(self, channel: str | None = None) -> None:
        super().__init__(custom_id="groupbot:share")
        if channel:
            self.channel.default = channel

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Queue the request through the core."""
        channel = self.channel.value.strip().lstrip("#")
        await runner_of(interaction).run_command(interaction, "share", (channel, self.text.value))


def decision_view(request: int) -> discord.ui.View:
    """A persistent view with the Approve and Deny buttons of one request."""
    view = discord.ui.View(timeout=None)
    view.add_item(ApproveButton(request))
    view.add_item(DenyButton(request))
    return view

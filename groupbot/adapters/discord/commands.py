"""Slash commands: /share, /withdraw, /queue, /approve, /deny and /groupbot ..."""

from __future__ import annotations

from typing import Any, Literal

import discord
from discord import app_commands

from groupbot.core.overrides import KEYS
from groupbot.core.rulebook import Rulebook

from .settings import SettingsView, settings_text
from .views import CommandRunner, ShareModal, runner_of

__all__ = ["matching_keys", "register_commands", "rules_summary"]

OWNERS = discord.Permissions(manage_guild=True)


def rules_summary(rulebook: Rulebook) -> str:
    """The community's norms and the rules groupbot applies, for /groupbot rules."""
    rules = rulebook.rules
    lines = ["**Norms**", *(f"• {n}" for n in rulebook.community.norms), "", "**Rules**"]
    for name in type(rules).model_fields:
        rule = getattr(rules, name)
        if rule.enabled:
            effect = "hold and queue" if rule.hold else "private note"
            lines.append(f"• {name.replace('_', ' ')}: {effect}")
    intro = ", ".join(f"#{c}" for c in rulebook.channels.intro)
    lines += ["", f"Intro channels: {intro}"]
    if rulebook.shadow_mode:
        lines.append("Shadow mode is on: decisions are logged, nothing is sent.")
    return "\n".join(lines)


def _channel_of(interaction: discord.Interaction) -> str | None:
    from .translate import channel_name

    return channel_name(interaction.channel)


async def _run(interaction: discord.Interaction, name: str, *args: str) -> None:
    runner: CommandRunner = runner_of(interaction)
    await runner.run_command(interaction, name, args)


@app_commands.command(name="share", description="Ask the owners before sharing a promotion.")
@app_commands.guild_only()
async def share(interaction: discord.Interaction) -> None:
    """Open the share modal, with the current channel filled in."""
    await interaction.response.send_modal(ShareModal(_channel_of(interaction)))


@app_commands.command(name="withdraw", description="Withdraw your own pending request.")
@app_commands.describe(request="The request number, e.g. 3")
@app_commands.guild_only()
async def withdraw(interaction: discord.Interaction, request: str) -> None:
    """Withdraw a request of one's own."""
    await _run(interaction, "withdraw", request)


@app_commands.command(name="queue", description="List the pending requests (owners).")
@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
async def queue(interaction: discord.Interaction) -> None:
    """List pending requests."""
    await _run(interaction, "queue")


@app_commands.command(name="approve", description="Approve a request (owners).")
@app_commands.describe(request="The request number, e.g. 3", note="A note for the member")
@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
async def approve(interaction: discord.Interaction, request: str, note: str | None = None) -> None:
    """Approve request N, optionally with a note."""
    await _run(interaction, "approve", request, *([note] if note else []))


@app_commands.command(name="deny", description="Deny a request with a kind reason (owners).")
@app_commands.describe(request="The request number, e.g. 3", reason="Why; the member reads it")
@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
async def deny(interaction: discord.Interaction, request: str, reason: str) -> None:
    """Deny request N with a reason."""
    await _run(interaction, "deny", request, reason)


groupbot = app_commands.Group(
    name="groupbot",
    description="groupbot settings and health (owners).",
    default_permissions=OWNERS,
    guild_only=True,
)


@groupbot.command(name="stats", description="The community's health.")
async def stats(interaction: discord.Interaction) -> None:
    """Intro rate, promotion share, queue turnaround, notes sent."""
    await _run(interaction, "stats")


@groupbot.command(name="rules", description="The norms and rules groupbot applies here.")
async def rules(interaction: discord.Interaction) -> None:
    """Show the rulebook in short."""
    runner = runner_of(interaction)
    text = rules_summary(runner.settings_of(interaction))
    await interaction.response.send_message(text[:2000], ephemeral=True)


@groupbot.command(name="settings", description="This server's main settings, as menus.")
async def settings(interaction: discord.Interaction) -> None:
    """The settings owners change most; the core checks rights when one is changed."""
    runner = runner_of(interaction)
    if not runner.owner(interaction):
        await interaction.response.send_message(
            "Only owners and moderators can see or change settings.", ephemeral=True
        )
        return
    text = settings_text(runner.settings_of(interaction))
    await interaction.response.send_message(text, view=SettingsView(), ephemeral=True)


@groupbot.command(name="shadow", description="Record decisions without sending anything.")
async def shadow(interaction: discord.Interaction, mode: Literal["on", "off"]) -> None:
    """Switch shadow mode on or off."""
    await _run(interaction, "shadow", mode)


@groupbot.command(name="forget", description="Delete everything stored about a member.")
async def forget(interaction: discord.Interaction, member: discord.User) -> None:
    """Forget a member (privacy request)."""
    await _run(interaction, "forget", str(member.id))


@groupbot.command(name="help", description="What groupbot can do.")
async def help_(interaction: discord.Interaction) -> None:
    """The command list."""
    await _run(interaction, "help")


config = app_commands.Group(
    name="config", description="This server's own settings (owners).", parent=groupbot
)


def matching_keys(typed: str, limit: int = 25) -> list[str]:
    """Setting keys for autocomplete: those starting with what was typed, then containing it."""
    typed = typed.strip().casefold()
    starts = [k for k in KEYS if k.startswith(typed)]
    within = [k for k in KEYS if typed in k and k not in starts]
    return (starts + within)[:limit]


async def _keys(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete of a setting's dotted key."""
    return [app_commands.Choice(name=k, value=k) for k in matching_keys(current)]


@config.command(name="show", description="The settings in force here, or one of them.")
@app_commands.describe(key="A setting, e.g. channels.intro; empty for all")
@app_commands.autocomplete(key=_keys)
async def config_show(interaction: discord.Interaction, key: str | None = None) -> None:
    """Show one setting, or a summary of them all."""
    await _run(interaction, "config", "show", *([key] if key else []))


@config.command(name="set", description="Change one setting for this server.")
@app_commands.describe(key="A setting, e.g. welcome.text", value="The new value")
@app_commands.autocomplete(key=_keys)
async def config_set(interaction: discord.Interaction, key: str, value: str) -> None:
    """Set KEY to VALUE (TOML, or plain text for names and lists)."""
    await _run(interaction, "config", "set", key, value)


@config.command(name="reset", description="Put one setting back to the default.")
@app_commands.describe(key="A setting, e.g. welcome.text")
@app_commands.autocomplete(key=_keys)
async def config_reset(interaction: discord.Interaction, key: str) -> None:
    """Reset KEY to the deployment's default."""
    await _run(interaction, "config", "reset", key)


@config.command(name="history", description="Recent changes to this server's settings.")
async def config_history(interaction: discord.Interaction) -> None:
    """Who changed what, and when."""
    await _run(interaction, "config", "history")


def register_commands(tree: app_commands.CommandTree[Any]) -> None:
    """Add every groupbot command to a client's tree."""
    commands: tuple[app_commands.Command[Any, ..., None] | app_commands.Group, ...] = (
        share,
        withdraw,
        queue,
        approve,
        deny,
        groupbot,
    )
    for command in commands:
        tree.add_command(command)

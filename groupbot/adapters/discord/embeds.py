"""What owners and members see: request, decision and publication embeds."""

from __future__ import annotations

from typing import Any

import discord

from groupbot.core.texts import quote
from groupbot.storage.repository import RequestRow

__all__ = ["clip", "decided_embed", "published_embed", "request_embed"]

PENDING = discord.Colour.gold()
COLOURS = {
    "approved": discord.Colour.green(),
    "denied": discord.Colour.red(),
    "expired": discord.Colour.light_grey(),
    "withdrawn": discord.Colour.light_grey(),
}
FIELD = 1024


def clip(text: str, limit: int = 2000) -> str:
    """Cut text to Discord's limit, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def request_embed(payload: dict[str, Any], row: RequestRow | None) -> discord.Embed:
    """A pending request: who, where, why (rule and evidence), and the post itself."""
    request = payload["request"]
    member = payload.get("member") or (row.member if row else "")
    name = payload.get("member_name") or (row.member_name if row else member)
    channel = payload.get("channel") or (row.channel if row else "")
    rule = payload.get("rule") or (row.rule if row else None)
    embed = discord.Embed(
        title=f"Request #{request}: {name} would like to post in #{channel}",
        colour=PENDING,
        description=clip(row.text if row else str(payload.get("text", "")), 4000),
    )
    embed.add_field(name="Member", value=f"<@{member}>", inline=True)
    embed.add_field(name="Channel", value=f"#{channel}", inline=True)
    embed.add_field(name="Rule", value=rule or "asked first (/share)", inline=True)
    if row is not None and row.evidence:
        embed.add_field(name="Evidence", value=clip(row.evidence, FIELD), inline=False)
    embed.set_footer(text=f"Approve or deny below, or /approve {request} · /deny {request} REASON")
    return embed


def decided_embed(payload: dict[str, Any], row: RequestRow | None) -> discord.Embed:
    """The same request, now showing who decided and how."""
    status = str(payload.get("status", "decided"))
    by = payload.get("by")
    note = payload.get("note")
    embed = request_embed(payload | {"text": row.text if row else ""}, row)
    embed.colour = COLOURS.get(status, PENDING)
    who = f" by <@{by}>" if by and status in ("approved", "denied") else ""
    outcome = f"{status.capitalize()}{who}"
    if note:
        outcome += f": {quote(str(note), 300)}"
    embed.add_field(name="Decision", value=clip(outcome, FIELD), inline=False)
    embed.set_footer(text=f"Request #{payload['request']} is {status}.")
    return embed


def published_embed(member: str, name: str, text: str, request: int) -> discord.Embed:
    """An approved post, published by the bot with attribution."""
    embed = discord.Embed(description=clip(text, 4000), colour=COLOURS["approved"])
    embed.set_author(name=f"Shared by {name}")
    embed.add_field(name="Member", value=f"<@{member}>", inline=True)
    embed.set_footer(text=f"Shared with the owners' approval (request #{request})")
    return embed

"""What owners and members see: request, decision and publication embeds."""

from __future__ import annotations

import discord

from groupbot.core.actions import OwnersNotified, RequestDecided
from groupbot.core.texts import quote
from groupbot.storage.repositories import RequestRow

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


def request_embed(
    notice: OwnersNotified | RequestDecided, row: RequestRow | None, text: str | None = None
) -> discord.Embed:
    """A pending request: who, where, why (rule and evidence), and the post itself."""
    request = notice.request
    member = notice.member or (row.member if row else "")
    notified = notice if isinstance(notice, OwnersNotified) else None
    name = (notified.member_name if notified else "") or (row.member_name if row else member)
    channel = (notified.channel if notified else "") or (row.channel if row else "")
    rule = (notified.rule if notified else None) or (row.rule if row else None)
    if text is None:
        text = row.text if row else (notified.text if notified else "")
    embed = discord.Embed(
        title=f"Request #{request}: {name} would like to post in #{channel}",
        colour=PENDING,
        description=clip(text, 4000),
    )
    embed.add_field(name="Member", value=f"<@{member}>", inline=True)
    embed.add_field(name="Channel", value=f"#{channel}", inline=True)
    embed.add_field(name="Rule", value=rule or "asked first (/share)", inline=True)
    if row is not None and row.evidence:
        embed.add_field(name="Evidence", value=clip(row.evidence, FIELD), inline=False)
    embed.set_footer(text=f"Approve or deny below, or /approve {request} · /deny {request} REASON")
    return embed


def decided_embed(decided: RequestDecided, row: RequestRow | None) -> discord.Embed:
    """The same request, now showing who decided and how."""
    status = decided.status
    by = decided.by
    note = decided.note
    embed = request_embed(decided, row, row.text if row else "")
    embed.colour = COLOURS.get(status, PENDING)
    who = f" by <@{by}>" if by and status in ("approved", "denied") else ""
    outcome = f"{status.capitalize()}{who}"
    if note:
        outcome += f": {quote(str(note), 300)}"
    embed.add_field(name="Decision", value=clip(outcome, FIELD), inline=False)
    embed.set_footer(text=f"Request #{decided.request} is {status}.")
    return embed


def published_embed(member: str, name: str, text: str, request: int) -> discord.Embed:
    """An approved post, published by the bot with attribution."""
    embed = discord.Embed(description=clip(text, 4000), colour=COLOURS["approved"])
    embed.set_author(name=f"Shared by {name}")
    embed.add_field(name="Member", value=f"<@{member}>", inline=True)
    embed.set_footer(text=f"Shared with the owners' approval (request #{request})")
    return embed

"""invite_link: an invite to another community (a Discord server, Slack workspace, chat group)."""

from __future__ import annotations

from groupbot.core.rules.base import Finding, Rule, RuleContext

NAME = "invite_link"

PLATFORM_NAMES = {
    "discord": "a Discord server",
    "slack": "a Slack workspace",
    "telegram": "a Telegram group",
    "whatsapp": "a WhatsApp group",
    "facebook": "a Facebook group",
}


def match(ctx: RuleContext) -> Finding | None:
    """Fire on the first invite link that the community has not allow-listed."""
    config = ctx.rulebook.rules.invite_link
    for link in ctx.analysis.links:
        if link.invite and not link.allowed:
            where = PLATFORM_NAMES.get(link.invite, "another group")
            return Finding(
                rule=NAME,
                evidence=link.url,
                detail=f"your post invites people to {where} ({link.url})",
                threshold="any invite to another community that is not allow-listed",
                hold=config.hold_watched if ctx.watched else config.hold,
            )
    return None


RULE = Rule(NAME, lambda rb: rb.rules.invite_link, match)

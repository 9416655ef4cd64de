"""invite_link: an invite to another community (a Discord server, Slack workspace, chat group)."""

from __future__ import annotations

from groupbot.core.i18n import say
from groupbot.core.rules.base import Finding, Rule, RuleContext

NAME = "invite_link"

PLATFORMS = frozenset({"discord", "slack", "telegram", "whatsapp", "facebook"})


def match(ctx: RuleContext) -> Finding | None:
    """Fire on the first invite link that the community has not allow-listed."""
    config = ctx.rulebook.rules.invite_link
    for link in ctx.analysis.links:
        if link.invite and not link.allowed:
            language = ctx.rulebook.community.language
            place = link.invite if link.invite in PLATFORMS else "elsewhere"
            where = say(language, f"why.invite_link.{place}")
            return Finding(
                rule=NAME,
                evidence=link.url,
                detail=say(language, "why.invite_link", where=where, url=link.url),
                threshold="any invite to another community that is not allow-listed",
                hold=config.hold_watched if ctx.watched else config.hold,
            )
    return None


RULE = Rule(NAME, lambda rb: rb.rules.invite_link, match)

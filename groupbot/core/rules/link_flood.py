"""link_flood: too many links in one post."""

from __future__ import annotations

from groupbot.core.detect.conversation import reference_link
from groupbot.core.i18n import say
from groupbot.core.rules.base import Finding, Rule, RuleContext

NAME = "link_flood"


def match(ctx: RuleContext) -> Finding | None:
    """Fire when a post carries more distinct links than the member's limit.

    Links to reference material (docs, wikis, pastebins, bug trackers) are how an answer
    shows its sources, so they do not count towards the limit.
    """
    config = ctx.rulebook.rules.link_flood
    counted = [link for link in ctx.analysis.links if not reference_link(link)]
    urls = list(dict.fromkeys(link.url for link in counted))
    limit = config.max_links_watched if ctx.watched else config.max_links
    if len(urls) <= limit:
        return None
    domains = ", ".join(dict.fromkeys(link.domain or link.host for link in counted))
    return Finding(
        rule=NAME,
        evidence=domains,
        detail=say(
            ctx.rulebook.community.language,
            "why.link_flood.newcomer" if ctx.watched else "why.link_flood.single",
            count=len(urls),
            domains=domains,
            limit=limit,
        ),
        threshold=f"{len(urls)} links > {limit}",
        hold=config.hold,
    )


RULE = Rule(NAME, lambda rb: rb.rules.link_flood, match)

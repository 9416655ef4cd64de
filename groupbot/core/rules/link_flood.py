"""link_flood: too many links in one post."""

from __future__ import annotations

from groupbot.core.rules.base import Finding, Rule, RuleContext

NAME = "link_flood"


def match(ctx: RuleContext) -> Finding | None:
    """Fire when a post carries more distinct links than the member's limit."""
    config = ctx.rulebook.rules.link_flood
    urls = list(dict.fromkeys(link.url for link in ctx.analysis.links))
    limit = config.max_links_watched if ctx.watched else config.max_links
    if len(urls) <= limit:
        return None
    domains = ", ".join(dict.fromkeys(link.domain or link.host for link in ctx.analysis.links))
    who = "a newcomer's post" if ctx.watched else "a single post"
    return Finding(
        rule=NAME,
        evidence=domains,
        detail=f"your post carries {len(urls)} links ({domains}), more than the {limit} we "
        f"suggest for {who}",
        threshold=f"{len(urls)} links > {limit}",
        hold=config.hold,
    )


RULE = Rule(NAME, lambda rb: rb.rules.link_flood, match)

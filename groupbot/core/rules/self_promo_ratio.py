"""self_promo_ratio: the 90/10 rule — at most about one post in ten promotes."""

from __future__ import annotations

from groupbot.core.i18n import say
from groupbot.core.rules.base import Finding, Rule, RuleContext

NAME = "self_promo_ratio"


def match(ctx: RuleContext) -> Finding | None:
    """Fire when promotional posts in the window exceed max(min_allowed, share * all posts).

    Silent until the member has min_posts posts in the window: two posts seen, one a link,
    say nothing about a share.
    """
    if not ctx.analysis.promotional:
        return None
    config = ctx.rulebook.rules.self_promo_ratio
    promo, total = ctx.member.window_counts()
    if total < config.min_posts:
        return None
    allowed = max(float(config.min_allowed), config.max_share * total)
    if promo <= allowed:
        return None
    return Finding(
        rule=NAME,
        evidence=f"{promo} of your last {total} posts",
        detail=say(
            ctx.rulebook.community.language,
            "why.self_promo_ratio",
            promotional=promo,
            total=total,
            days=config.window_days,
            share=f"{config.max_share:.0%}",
        ),
        threshold=f"{promo} promotional posts > max({config.min_allowed}, "
        f"{config.max_share:g} x {total})",
        hold=config.hold,
    )


RULE = Rule(NAME, lambda rb: rb.rules.self_promo_ratio, match)

"""The etiquette rules, one per module, in an explicit registry (order = note priority)."""

from __future__ import annotations

from groupbot.core.rules import (
    cross_post,
    invite_link,
    link_flood,
    promote_before_introduce,
    self_promo_ratio,
)
from groupbot.core.rules.base import Finding, Rule, RuleContext

__all__ = ["REGISTRY", "Finding", "Rule", "RuleContext"]

REGISTRY: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        invite_link.RULE,
        promote_before_introduce.RULE,
        cross_post.RULE,
        link_flood.RULE,
        self_promo_ratio.RULE,
    )
}

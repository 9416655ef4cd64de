"""promote_before_introduce: a watched newcomer promotes before saying hello."""

from __future__ import annotations

from groupbot.core.i18n import say
from groupbot.core.rules.base import Finding, Rule, RuleContext

NAME = "promote_before_introduce"


def match(ctx: RuleContext) -> Finding | None:
    """Fire on a promotional post by a watched member who has not introduced themselves."""
    analysis = ctx.analysis
    if not (ctx.watched and not ctx.member.introduced and analysis.promotional):
        return None
    evidence = ", ".join(dict.fromkeys(r.evidence for r in analysis.reasons if r.evidence))
    shown = ", ".join(list(dict.fromkeys(f'"{r.evidence}"' for r in analysis.reasons))[:3])
    return Finding(
        rule=NAME,
        evidence=evidence,
        detail=say(ctx.rulebook.community.language, "why.promote_before_introduce", evidence=shown),
        threshold=(
            f"promotion score {analysis.score:.2f} >= {ctx.rulebook.detection.threshold:.2f}"
            " from a newcomer not yet introduced"
        ),
        hold=ctx.rulebook.rules.promote_before_introduce.hold,
    )


RULE = Rule(NAME, lambda rb: rb.rules.promote_before_introduce, match)

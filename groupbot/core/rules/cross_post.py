"""cross_post: the same post blasted into several channels within minutes."""

from __future__ import annotations

from rapidfuzz.fuzz import ratio

from groupbot.core.i18n import say
from groupbot.core.rules.base import Finding, Rule, RuleContext

NAME = "cross_post"
MIN_FINGERPRINT = 16  # "thanks!" in three channels is not a blast


def match(ctx: RuleContext) -> Finding | None:
    """Fire when near-identical copies reach min_channels distinct channels in the window."""
    config = ctx.rulebook.rules.cross_post
    fingerprint = ctx.analysis.fingerprint
    if len(fingerprint) < MIN_FINGERPRINT:
        return None
    recent = ctx.member.copies
    # Cheap test first: without enough other channels in the window no blast is possible.
    if len({c.channel for c in recent} | {ctx.channel}) < config.min_channels:
        return None
    cutoff = config.similarity * 100
    copies = [
        c
        for c in ctx.member.copies
        if c.message != ctx.message and ratio(c.fingerprint, fingerprint, score_cutoff=cutoff)
    ]
    channels = {c.channel for c in copies} | {ctx.channel}
    if len(channels) < config.min_channels:
        return None
    later = [(c.message, c.channel) for c in copies[1:] if c.message not in ctx.member.held]
    return Finding(
        rule=NAME,
        evidence=", ".join(f"#{c}" for c in sorted(channels)),
        detail=say(
            ctx.rulebook.community.language,
            "why.cross_post",
            count=len(channels),
            minutes=config.window_minutes,
            channels=", ".join(f"#{c}" for c in sorted(channels)),
        ),
        threshold=(
            f"{len(channels)} channels >= {config.min_channels},"
            f" similarity >= {config.similarity:g}"
        ),
        hold=config.hold,
        also_hold=tuple(later) if config.hold else (),
    )


RULE = Rule(NAME, lambda rb: rb.rules.cross_post, match, promotion_rule=False)

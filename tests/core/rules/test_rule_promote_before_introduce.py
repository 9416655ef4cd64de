"""promote_before_introduce: a watched newcomer's promotion before any hello."""

from __future__ import annotations

from rulekit import T0, analysis, context

from groupbot.core.detect import Signal
from groupbot.core.rules.promote_before_introduce import match
from groupbot.core.state import MemberState

PITCH = analysis(
    promotional=True,
    score=0.9,
    reasons=(
        Signal("self_promo_phrase", "check out my", "talks up their own work", 1.0),
        Signal("discount", "50% off", "offers a deal", 1.0),
        Signal("self_promo_phrase", "check out my", "said twice", 0.5),
    ),
)


def test_a_watched_newcomers_promotion_is_found_with_its_evidence() -> None:
    finding = match(context(PITCH))
    assert finding is not None
    assert finding.evidence == "check out my, 50% off"  # each piece of evidence once
    assert '"check out my", "50% off"' in finding.detail
    assert finding.threshold.startswith("promotion score 0.90 >= 0.50")


def test_an_introduced_member_a_regular_or_a_plain_post_is_not_flagged() -> None:
    hello = MemberState("ann", T0, introduced_at=T0)
    assert match(context(PITCH, member=hello)) is None
    assert match(context(PITCH, watched=False)) is None
    assert match(context(analysis(promotional=False, score=0.2))) is None

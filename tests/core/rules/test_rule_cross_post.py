"""cross_post: near-identical copies in several channels within the window."""

from __future__ import annotations

from collections import deque
from datetime import timedelta

from rulekit import T0, analysis, context

from groupbot.core.rulebook import Rulebook
from groupbot.core.rules.cross_post import match
from groupbot.core.state import MemberState, RecentCopy

BLAST = "join our launch webinar this friday and bring your friends along"


def member(*channels: str, text: str = BLAST) -> MemberState:
    state = MemberState("ann", T0)
    found = analysis(folded=text)
    state.copies = deque(
        RecentCopy(T0 + timedelta(minutes=n), c, f"m{n}", found.fingerprint)
        for n, c in enumerate(channels)
    )
    return state


def test_the_third_channel_is_a_blast_and_earlier_copies_are_held_after_the_first() -> None:
    state = member("general", "random")
    finding = match(context(analysis(folded=BLAST), member=state, channel="jobs", message="m9"))
    assert finding is not None
    assert finding.evidence == "#general, #jobs, #random"
    assert finding.also_hold == (("m1", "random"),)  # the first copy stays up


def test_two_channels_short_texts_or_different_texts_are_no_blast() -> None:
    assert match(context(analysis(folded=BLAST), member=member("general"), channel="jobs")) is None
    short = member("general", "random", text="thanks!")
    assert match(context(analysis(folded="thanks!"), member=short, channel="jobs")) is None
    other = "completely unrelated words about gardening tomatoes in the spring sun"
    assert (
        match(context(analysis(folded=other), member=member("general", "random"), channel="jobs"))
        is None
    )


def test_the_same_channel_twice_counts_once() -> None:
    state = member("general", "general")
    assert (
        match(context(analysis(folded=BLAST), member=state, channel="general", message="m9"))
        is None
    )


def test_without_hold_nothing_else_is_held() -> None:
    rb = Rulebook.model_validate({"rules": {"cross_post": {"hold": False}}})
    state = member("general", "random")
    finding = match(
        context(analysis(folded=BLAST), rulebook=rb, member=state, channel="jobs", message="m9")
    )
    assert finding is not None and finding.also_hold == () and not finding.hold

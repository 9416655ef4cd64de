"""The 90/10 rule judges a member's share only once it has seen enough of their posts."""

from __future__ import annotations

import pytest
from replaykit import PITCH_TEXT, join, only, replay, rulebook, say

from groupbot.core.rulebook import RulebookError

CHAT = [f"thanks, that worked for part {i} of the setup" for i in range(20)]


def story(ordinary: int, pitches: int) -> list[dict[str, object]]:
    """A regular's ordinary posts, then their pitches, all introduced and past welcome."""
    events: list[dict[str, object]] = [join("reg", 0)]
    events.append(say("reg", "Hi all, I'm Reg, a baker from York. Glad to be here!", 1))
    events += [say("reg", CHAT[i], 2 + i / 10, id=f"c{i}") for i in range(ordinary)]
    events += [say("reg", f"{PITCH_TEXT} ({i})", 5 + i, id=f"p{i}") for i in range(pitches)]
    return events


def ratio_notes(actions: list[dict[str, object]]) -> list[dict[str, object]]:
    return [a for a in only(actions, "etiquette_note") if a["rule"] == "self_promo_ratio"]


async def test_no_budget_note_before_ten_posts() -> None:
    code, actions, errors = await replay(story(ordinary=3, pitches=3))
    assert code == 0, errors
    assert ratio_notes(actions) == []


async def test_a_note_once_enough_posts_show_the_share() -> None:
    code, actions, errors = await replay(story(ordinary=9, pitches=3))
    assert code == 0, errors
    assert len(ratio_notes(actions)) >= 1


async def test_min_posts_is_a_rulebook_setting() -> None:
    rules = rulebook("[rules.self_promo_ratio]\nmin_posts = 1\n")
    code, actions, errors = await replay(story(ordinary=3, pitches=3), rules)
    assert code == 0, errors
    assert len(ratio_notes(actions)) >= 1


def test_min_posts_refuses_zero() -> None:
    with pytest.raises(RulebookError, match="min_posts"):
        rulebook("[rules.self_promo_ratio]\nmin_posts = 0\n")

"""Property tests: no text, however long or strange, makes the engine raise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groupbot.core.engine import Engine
from groupbot.core.rulebook import Rulebook
from groupbot.core.state import MemberState

T0 = datetime(2026, 3, 2, tzinfo=UTC)
ENGINE = Engine(Rulebook())

PIECES = st.sampled_from(
    [
        "https://",
        "discord.gg/",
        "t.me/",
        " dot com",
        "[.]",
        "hxxp://",
        "\u200b",
        "\u202e",
        "\u0441",  # Cyrillic es
        "\uff43\uff48\uff45\uff43\uff4b \uff4f\uff55\uff54",  # full-width
        "<https://a.com|b.com>",
        "[x](http://y.com)",
        "50% off",
        "$",
        "I'm ",
        "Hi ",
        " ",
        "\n",
        "my channel",
        "@",
        "www.",
        ".",
        "/",
        "?ref=",
        "🙂",
    ]
)
TEXTS = st.one_of(
    st.text(max_size=2000),
    st.lists(PIECES, max_size=400).map("".join),
    st.tuples(PIECES, st.integers(1, 40_000)).map(lambda p: (p[0] * p[1])[:40_000]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, channel=st.sampled_from(["general", "introductions", "promotions", "x" * 80]))
def test_no_text_makes_the_engine_raise(text: str, channel: str) -> None:
    state = MemberState(member="m", first_seen_at=T0, joined_at=T0)
    for n in range(3):
        verdict = ENGINE.evaluate(
            state,
            channel=channel,
            message=f"m{n}",
            text=text,
            at=T0 + timedelta(minutes=n),
            community="c",
        )
        assert 0.0 <= verdict.analysis.score <= 1.0
        assert all(f.rule and f.detail for f in verdict.findings)
        if verdict.analysis.promotional:
            assert verdict.analysis.reasons


def test_a_40000_character_message_is_judged() -> None:
    text = ("Check out my channel https://a.com/x?ref=1 " * 1000)[:40_000]
    state = MemberState(member="m", first_seen_at=T0, joined_at=T0)
    verdict = ENGINE.evaluate(
        state, channel="general", message="m1", text=text, at=T0, community="c"
    )
    assert verdict.analysis.promotional and verdict.findings

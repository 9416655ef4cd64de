"""The history read's pure parts: its bounds from the rulebook, and its resumable progress."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from groupbot.core.history import HistoryBounds, Progress, bounds
from groupbot.core.rulebook import RulebookError, parse_rulebook

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_bounds_follow_the_history_section() -> None:
    rb = parse_rulebook("[history]\ndays = 7\nmax_per_channel = 50\nmax_channels = 3\n")
    assert bounds(rb, NOW) == HistoryBounds(NOW - timedelta(days=7), NOW, 3, 50)


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("[history]\ndays = 366\n", "history.days"),
        ("[history]\nmax_per_channel = -1\n", "history.max_per_channel"),
        ("[history]\nmax_channels = 10001\n", "history.max_channels"),
        ("[history]\nchannels = 3\n", "history.channels"),
        ("[history]\nenabled = 'yes'\n", "history.enabled"),
    ],
)
def test_bad_history_settings_are_refused_by_key(toml: str, key: str) -> None:
    with pytest.raises(RulebookError) as raised:
        parse_rulebook(toml)
    assert key in str(raised.value)


def test_progress_round_trips_and_resumes_inside_a_channel() -> None:
    p = Progress().at("C1", "10").finished("C1").at("C2", "42")
    back = Progress.decode(p.encode())
    assert back == p and back.done == ("C1",)
    assert back.resume_after("C2") == "42" and back.resume_after("C3") == ""


@pytest.mark.parametrize("cursor", ["", "not json", "[1, 2]", '{"done": 5}', "null"])
def test_an_unreadable_cursor_starts_from_the_beginning(cursor: str) -> None:
    assert Progress.decode(cursor) == Progress()


def test_channels_read_on_their_own_count_as_done_once_and_keep_the_place() -> None:
    p = Progress().at("C1", "10").finished("C1").at("C2", "42")
    assert p.with_done(["C3", "C1"]) == Progress(("C1", "C3"), "C2", "42")

"""The cache of recent event ids: a day's at least, the oldest forgotten first, a floor set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from groupbot.service import seen
from groupbot.service.seen import SEEN_WINDOW, SWEEP_SLACK, SeenEvents

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_ids_are_kept_a_day_then_forgotten_with_the_floor_raised() -> None:
    ids = SeenEvents()
    ids.floor = None  # a fresh database
    ids.remember(("c1", "a"), T0, T0)
    ids.remember(("c1", "b"), T0 + timedelta(hours=2), T0 + timedelta(hours=2))
    late = T0 + SEEN_WINDOW + timedelta(minutes=30)
    ids.remember(("c1", "c"), late, late)  # "a" is past the window, within the slack
    assert ("c1", "a") in ids and ids.floor is None
    later = T0 + SEEN_WINDOW + SWEEP_SLACK
    ids.remember(("c1", "d"), later, later)
    assert ("c1", "a") not in ids and ("c1", "b") in ids
    assert ids.floor == T0  # an id older than this may have been forgotten


def test_the_cache_holds_so_many_ids_at_most(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seen, "SEEN_CACHE", 2)
    ids = SeenEvents()
    ids.floor = None
    for n in range(3):
        at = T0 + timedelta(minutes=n)
        ids.remember(("c1", str(n)), at, at)
    assert [("c1", str(n)) in ids for n in range(3)] == [False, True, True]
    assert ids.floor == T0


def test_forgetting_abandoned_ids_keeps_the_others() -> None:
    ids = SeenEvents()
    ids.remember(("c1", "a"), T0, T0)
    ids.remember(("c1", "b"), T0, T0)
    ids.forget([("c1", "a"), ("c1", "never")])
    assert ("c1", "a") not in ids and ("c1", "b") in ids

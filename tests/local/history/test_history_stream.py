"""Format detection, and the merged stream holding one record per channel at a time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from exportkit import write_discord, write_slack_folder, write_slack_zip

from groupbot.local.history.detect_format import FormatError, detect_format
from groupbot.local.history.merge import events_of, merged
from groupbot.local.history.records import Record

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def test_formats_are_told_apart_by_content(tmp_path: Path) -> None:
    assert detect_format(write_slack_folder(tmp_path / "s")) == "slack-export"
    assert detect_format(write_slack_zip(tmp_path / "s.zip")) == "slack-export"
    dce = write_discord(tmp_path / "d")
    assert detect_format(dce) == "discord-export"
    one = dce / "Makers Guild - Text - general [C1].json"
    renamed = tmp_path / "general.txt"
    renamed.write_bytes(one.read_bytes())
    assert detect_format(renamed) == "discord-export"
    events = tmp_path / "events.jsonl"
    events.write_text('{"type": "join", "at": "2024-01-01T00:00:00Z", "community": "c"}\n')
    assert detect_format(events) == "jsonl"


@pytest.mark.parametrize("content", [b"[1, 2, 3]\n", b"hello\n", b'{"guild": 1'])
def test_anything_else_is_one_clear_error(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "export.json"
    bad.write_bytes(content)
    with pytest.raises(FormatError, match=r"export\.json"):
        detect_format(bad)


def test_merge_is_lazy_and_in_time_order() -> None:
    pulled = [0, 0]

    def channel(n: int, step: int) -> Iterator[Record]:
        for i in range(1000):
            pulled[n] += 1
            yield Record("post", T0 + timedelta(seconds=i * step + n), f"c{n}", "U1", str(i))

    stream = merged([channel(0, 2), channel(1, 3)])
    first = [next(stream) for _ in range(10)]
    assert [r.at for r in first] == sorted(r.at for r in first)
    assert sum(pulled) <= 12  # one record ahead per channel, never the whole history


def test_dates_bound_the_events_but_earlier_activity_still_counts() -> None:
    day = timedelta(days=1)
    records = [
        Record("post", T0, "general", "U1", "m1", "hi"),
        Record("join", T0 + day, "general", "U1"),  # posted before: no join
        Record("join", T0 + day / 2, "general", "U2"),  # before --from: not a newcomer
        Record("join", T0 + 2 * day, "general", "U3"),
        Record("post", T0 + 3 * day, "general", "U3", "m2", "after --to"),
    ]
    records.sort(key=lambda r: r.at)
    got = list(events_of(records, "c", date_from=T0 + day, date_to=T0 + 3 * day))
    assert [(r.member, type(e).__name__) for r, e in got] == [
        ("U1", "NoneType"),
        ("U3", "MemberJoined"),
    ]

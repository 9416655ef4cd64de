"""The second process: the same steps and problems as reading here, analyses the engine's own."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pytest
from exportkit import DAMAGED, msg, write_discord, write_slack_folder, write_slack_zip

from groupbot.core.context import ConversationTracker
from groupbot.core.engine import Engine
from groupbot.core.events import MessageEdited, MessagePosted
from groupbot.core.rulebook import load_rulebook
from groupbot.local.backtest import ahead
from groupbot.local.backtest.ahead import history_ahead
from groupbot.local.history.records import Problems
from groupbot.local.history.source import open_history


def read_here(path: Path) -> tuple[list[object], str, int]:
    errors = io.StringIO()
    history = open_history(path, "auto", Problems(errors))
    steps = list(history.steps())
    history.close()
    return steps, errors.getvalue(), history.problems.count


def read_ahead(path: Path) -> tuple[list[object], str, int, ahead.Ahead]:
    errors = io.StringIO()
    history = open_history(path, "auto", Problems(errors))
    with history_ahead(history, load_rulebook(None)) as other:
        steps = list(other.steps())
    history.close()
    return steps, errors.getvalue(), history.problems.count, other


@pytest.mark.parametrize("write", [write_slack_folder, write_slack_zip, write_discord])
def test_the_steps_and_problems_are_those_read_here(
    tmp_path: Path, write: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ahead, "EVERY", 3)  # several batches, problems inside and between them
    target = tmp_path / ("export.zip" if write is write_slack_zip else "export")
    path = write(target)  # type: ignore[operator]
    steps, errors, count, _ = read_ahead(path)
    assert (steps, errors, count) == read_here(path)
    assert count >= 1 and (DAMAGED in errors or "damaged" in errors)


def test_a_text_cleaned_there_is_sent_cleaned(tmp_path: Path) -> None:
    path = write_slack_folder(tmp_path / "export")
    raw = [msg("U3", 6, 0, "a NUL\x00 here"), msg("U3", 6, 1, "nothing to clean")]
    (path / "general" / "2024-01-06.json").write_bytes(orjson.dumps(raw))
    steps, errors, count, _ = read_ahead(path)
    assert (steps, errors, count) == read_here(path)
    texts = [e.text for _, e in steps if isinstance(e, MessagePosted) and e.at.day == 6]
    assert texts == ["a NUL\ufffd here", "nothing to clean"]


def test_each_analysis_is_the_one_the_detector_gives(tmp_path: Path) -> None:
    path = write_slack_folder(tmp_path / "export")
    steps, _, _, other = read_ahead(path)
    assert other.store
    engine, tracker = Engine(load_rulebook(None)), ConversationTracker()
    matched = 0
    for _, event in steps:
        if isinstance(event, MessagePosted | MessageEdited):
            place = tracker.place(event, remember=not isinstance(event, MessageEdited))
            intro = engine.channel_facts(event.channel)[0]
            sent = other.store.get((event.text, intro, frozenset(), place))
            if sent is not None:  # else analysed with the member's own domains
                assert sent == engine.analyze(event.text, event.channel, None, place)
                matched += 1
    assert matched >= 5


def test_a_reader_failing_there_fails_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_slack_folder(tmp_path / "export")

    def broken(self: object, *args: object) -> object:
        raise ValueError("the disk went away")

    history = open_history(path, "auto", Problems(io.StringIO()))
    monkeypatch.setattr(type(history), "built_steps", broken)
    with (
        history_ahead(history, load_rulebook(None)) as other,
        pytest.raises(ValueError, match="the disk went away"),
    ):
        list(other.steps())

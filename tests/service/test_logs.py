"""Logging as `groupbot run` configures it: levels, text and JSON lines, context, redaction."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from groupbot.service.logs import Redactor, configure_logging, log_context


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def test_json_lines_carry_time_level_logger_message_and_context(restore_root: None) -> None:
    stream = io.StringIO()
    configure_logging("info", "json", [], stream)
    logging.getLogger("groupbot.service.bot").info("handled %d events", 3)
    with log_context(community="T0TEAM1", event_id="Ev123"):
        logging.getLogger("discord.gateway").warning("shard reconnecting")
    logging.getLogger("groupbot.x").debug("not at info")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == 2
    first, second = lines
    assert {"time", "level", "logger", "message"} <= first.keys()
    assert first["level"] == "INFO" and first["message"] == "handled 3 events"
    assert "community" not in first and "exc_info" not in first
    assert second["logger"] == "discord.gateway"  # discord.py's own lines come through too
    assert (second["community"], second["event_id"]) == ("T0TEAM1", "Ev123")


def test_text_lines_have_time_level_and_logger(restore_root: None) -> None:
    stream = io.StringIO()
    configure_logging("warning", "text", [], stream)
    logging.getLogger("groupbot.a").info("hidden")
    with log_context(community="G1"):
        logging.getLogger("groupbot.a").warning("shown")
    (line,) = stream.getvalue().splitlines()
    assert line.endswith("WARNING groupbot.a: shown [community=G1]")
    assert line[:4].isdigit()  # starts with the time


def test_configuring_twice_replaces_the_handler(restore_root: None) -> None:
    stream = io.StringIO()
    configure_logging("info", "text", [], io.StringIO())
    configure_logging("info", "text", [], stream)
    logging.getLogger("groupbot.b").info("once")
    assert stream.getvalue().count("once") == 1
    assert sum(1 for h in logging.getLogger().handlers if getattr(h, "groupbot", False)) == 1


def test_an_unknown_level_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown log level"):
        configure_logging("loud", "text", [], io.StringIO())


@pytest.mark.parametrize(
    "line",
    [
        "Authorization: Bearer xoxb-1234-5678-abcdef",
        "Failed to fetch oauth.v2.access result with code: 1234.5678.abcdefgh - error",
        "{'code': ['1234.5678.abcdefgh'], 'state': ['s']}",
        '{"access_token": "xoxe.xoxp-1-abcdefghijkl"}',
        "app token xapp-1-A0-123-abcdef",
        "discord MTA4OTk5OTk5OTk5OTk5OTk5OQ.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789",
        "the signing secret is s3cr3t-value-here",
    ],
)
def test_credentials_never_survive_redaction(line: str) -> None:
    redacted = Redactor(["s3cr3t-value-here"])(line)
    assert "[redacted]" in redacted
    for secret in ("abcdef", "abcdefgh", "abcdefghijkl", "s3cr3t", "0123456789"):
        assert secret not in redacted, redacted


def test_ordinary_words_are_left_alone() -> None:
    line = "status code: 404 for token_revoked; exit code=1"
    assert Redactor()(line) == line

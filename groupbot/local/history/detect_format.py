"""Tell the history formats apart by content: JSON Lines, a Slack export, a Discord export."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Literal

import ijson
import orjson

from groupbot.local.history.discord_export import discord_header

__all__ = ["FORMATS", "Format", "FormatError", "detect_format"]

Format = Literal["jsonl", "slack-export", "discord-export"]
FORMATS: tuple[str, ...] = ("jsonl", "slack-export", "discord-export", "auto")
SLACK_MARKERS = ("users.json", "channels.json", "org_users.json")
HEAD_BYTES = 65_536


class FormatError(ValueError):
    """A path that is none of the formats groupbot reads."""


def _is_discord(path: Path) -> bool:
    try:
        return "guild.id" in discord_header(path)
    except (OSError, ijson.JSONError):
        return False


def _first_line_is_event(path: Path) -> bool:
    with path.open("rb") as f:
        head = f.read(HEAD_BYTES)
    for line in head.removeprefix(b"\xef\xbb\xbf").splitlines():
        if line.strip():
            try:
                first = orjson.loads(line)
            except orjson.JSONDecodeError:
                return False
            return isinstance(first, dict) and "type" in first
    return True  # an empty file is an empty stream of events


def detect_format(path: Path) -> Format:
    """Which format the file or folder at `path` is in, judged by what it holds."""
    if path.is_dir():
        if any((path / marker).is_file() for marker in SLACK_MARKERS):
            return "slack-export"
        if any(_is_discord(p) for p in sorted(path.rglob("*.json"))[:20]):
            return "discord-export"
        raise FormatError(
            f"{path}: neither a Slack export (no users.json or channels.json) "
            "nor a folder of DiscordChatExporter JSON files"
        )
    if not path.is_file():
        raise FormatError(f"{path}: no such file or folder")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            names = [n.rsplit("/", 1)[-1] for n in z.namelist()]
        if any(marker in names for marker in SLACK_MARKERS):
            return "slack-export"
        raise FormatError(f"{path}: a ZIP archive without users.json or channels.json")
    if _first_line_is_event(path):
        return "jsonl"
    if _is_discord(path):
        return "discord-export"
    raise FormatError(f"{path}: neither JSON Lines events nor a DiscordChatExporter file")

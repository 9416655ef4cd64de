"""DiscordChatExporter's JSON: one file per channel (or a folder of them), read as a stream."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ijson

from groupbot.local.history.records import OWNER, Problems, Record
from groupbot.local.history.tree import iter_json_files

__all__ = ["DiscordExport", "discord_header"]

POST_TYPES = frozenset({"Default", "Reply"})
JOIN_TYPE = "GuildMemberJoin"
HEADER_KEYS = frozenset({"guild.id", "guild.name", "channel.id", "channel.name"})


def discord_header(path: Path) -> dict[str, str]:
    """The guild and channel fields that DiscordChatExporter writes before the messages."""
    found: dict[str, str] = {}
    with path.open("rb") as f:
        for prefix, event, value in ijson.parse(f):
            if prefix in HEADER_KEYS and event == "string":
                found[prefix] = value
            elif prefix == "messages" or len(found) == len(HEADER_KEYS):
                break
    return found


def _time(raw: object) -> datetime:
    if not isinstance(raw, str):
        raise TypeError("field 'timestamp' must be a string")
    at = datetime.fromisoformat(raw)
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


class DiscordExport:
    """One server's channels; `channels()` yields one record iterator per exported file."""

    platform = "discord"

    def __init__(
        self,
        path: Path,
        problems: Problems,
        *,
        owners: frozenset[str] = frozenset(),
        owner_roles: frozenset[str] = frozenset(),
    ) -> None:
        self.problems = problems
        self.owners = owners
        self.owner_roles = frozenset(r.strip().casefold() for r in owner_roles)
        self.files: list[tuple[Path, str]] = []
        self.community = ""
        self.community_name = ""
        self._base = path if path.is_dir() else path.parent
        for file in iter_json_files(path):
            self._add(file)
        self.community = self.community or "discord"
        self.community_name = self.community_name or self.community

    def _label(self, file: Path) -> str:
        return str(file.relative_to(self._base)) if file.is_relative_to(self._base) else str(file)

    def _add(self, file: Path) -> None:
        try:
            header = discord_header(file)
        except (OSError, ijson.JSONError) as exc:
            self.problems.report(self._label(file), f"not a DiscordChatExporter file: {exc}")
            return
        guild = header.get("guild.id")
        if guild is None or "channel.name" not in header:
            self.problems.report(self._label(file), "not a DiscordChatExporter file: no guild")
            return
        if not self.community:
            self.community, self.community_name = guild, header.get("guild.name", guild)
        elif guild != self.community:
            self.problems.report(self._label(file), f"another server ({guild}): skipped")
            return
        self.files.append((file, header["channel.name"]))

    def channels(self) -> list[Iterator[Record]]:
        """One iterator per channel file, in the file's (time) order."""
        return [self._channel(file, name) for file, name in self.files]

    def _channel(self, file: Path, channel: str) -> Iterator[Record]:
        label = self._label(file)
        index = 0
        try:
            with file.open("rb") as f:
                for index, message in enumerate(ijson.items(f, "messages.item", use_float=True), 1):
                    try:
                        record = self._record(message, channel)
                    except (KeyError, TypeError, ValueError, AttributeError) as exc:
                        self.problems.report(label, f"message {index}: {_why(exc)}")
                        continue
                    if record is not None:
                        yield record
        except ijson.JSONError as exc:
            where = f"after message {index}" if index else "before the first message"
            self.problems.report(label, f"damaged {where}: {' '.join(str(exc).split())}")
        except OSError as exc:
            self.problems.report(label, f"cannot be read: {exc}")

    def _record(self, m: dict[str, Any], channel: str) -> Record | None:
        kind = m.get("type")
        author = m["author"]
        if author.get("isBot") or (kind != JOIN_TYPE and kind not in POST_TYPES):
            return None
        member = author["id"]
        if not isinstance(member, str):
            raise TypeError("field 'author.id' must be a string")
        at = _time(m["timestamp"])
        names = [r.get("name") for r in author.get("roles") or () if isinstance(r, dict)]
        roles = frozenset(n.casefold() for n in names if isinstance(n, str))
        if member in self.owners or roles & self.owner_roles:
            roles |= OWNER
        name = str(author.get("nickname") or author.get("name") or "")
        if kind == JOIN_TYPE:
            return Record("join", at, channel, member, name=name, roles=roles)
        reference = m.get("reference") if kind == "Reply" else None
        context = reference.get("messageId") if isinstance(reference, dict) else None
        content = m.get("content")
        return Record(
            "post",
            at,
            channel,
            member,
            message=str(m["id"]),
            text=content if isinstance(content, str) else "",
            name=name,
            roles=roles,
            context=context if isinstance(context, str) else None,
            mentions=_mentions(m.get("mentions")),
        )


def _mentions(raw: object) -> tuple[str, ...]:
    """The ids of the members a message mentions (its `mentions` list)."""
    if not isinstance(raw, list):
        return ()
    ids = (m.get("id") for m in raw if isinstance(m, dict))
    return tuple(dict.fromkeys(i for i in ids if isinstance(i, str)))


def _why(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"no field {exc.args[0]!r}"
    return str(exc) or type(exc).__name__

"""`groupbot replay`: a recorded stream of platform-neutral events through the real engine."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, Any

import orjson

from groupbot.core.clean import clean_event
from groupbot.core.events import CommandIssued, Event, MemberJoined, MessageEdited, MessagePosted
from groupbot.local import jsonin

__all__ = ["ReplayError", "parse_event", "read_events"]

EVENT_TYPES = ("join", "message", "edit", "command")


class ReplayError(ValueError):
    """A replay line that cannot be turned into an event."""


def _text(obj: dict[str, Any], key: str, *, required: bool = True, limit: int = 191) -> str:
    value = obj.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ReplayError(f"field {key!r} must be a non-empty string")
    if len(value) > limit:
        raise ReplayError(f"field {key!r} is longer than {limit} characters")
    return value


def _time(obj: dict[str, Any]) -> datetime:
    raw = obj.get("at")
    if not isinstance(raw, str):
        raise ReplayError("field 'at' must be an ISO 8601 time")
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        raise ReplayError(f"field 'at' is not ISO 8601: {raw[:40]!r}") from None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _strings(obj: dict[str, Any], key: str) -> tuple[str, ...]:
    value = obj.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ReplayError(f"field {key!r} must be a list of strings")
    return tuple(value)


def _reference(obj: dict[str, Any], key: str) -> str | None:
    """An optional message or thread id (a string or a number); null is absent."""
    value = obj.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ReplayError(f"field {key!r} must be a string")
    return str(value)


def _mentions(obj: dict[str, Any]) -> tuple[str, ...]:
    """The optional `mentions` list of member ids (strings or numbers)."""
    value = obj.get("mentions")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
        isinstance(v, str | int) and not isinstance(v, bool) for v in value
    ):
        raise ReplayError("field 'mentions' must be a list of member ids")
    return tuple(dict.fromkeys(str(v) for v in value))


def _roles(obj: dict[str, Any]) -> frozenset[str] | None:
    """The roles a line gives (authoritative, even empty), or None when it says nothing."""
    if "roles" not in obj:
        return None
    return frozenset(r.lower() for r in _strings(obj, "roles"))


def parse_event(obj: Any, raw: bytes, line: int = 0) -> Event:
    """Turn one decoded replay line (number `line`) into a core event, its texts made safe."""
    return clean_event(_parse(obj, raw, line))


def _parse(obj: Any, raw: bytes, line: int) -> Event:
    if not isinstance(obj, dict):
        raise ReplayError("a line must be a JSON object")
    kind = obj.get("type")
    if kind not in EVENT_TYPES:
        raise ReplayError(f"field 'type' must be one of {', '.join(EVENT_TYPES)}")
    at = _time(obj)
    community = _text(obj, "community")
    member = _text(obj, "member")
    given = obj.get("event_id")
    event_id = given if isinstance(given, str) and given else ""
    if kind == "join":
        return MemberJoined(
            community=community,
            member=member,
            at=at,
            event_id=event_id or f"join:{member}:{at.isoformat()}",
            name=_text(obj, "name", required=False, limit=200),
            roles=_roles(obj),
        )
    if kind == "command":
        args = _strings(obj, "args")
        return CommandIssued(
            community=community,
            member=member,
            at=at,
            # Two identical command lines are two commands (a repeat is refused, not ignored).
            event_id=event_id or f"command:{line}:{hashlib.sha1(raw).hexdigest()[:16]}",
            name=_text(obj, "name", limit=64),
            args=args,
            channel=obj.get("channel") if isinstance(obj.get("channel"), str) else None,
            roles=_roles(obj),
        )
    channel = _text(obj, "channel")
    text = obj.get("text")
    if not isinstance(text, str):
        raise ReplayError("field 'text' must be a string")
    message = obj.get("id")
    if message is not None and not isinstance(message, str | int):
        raise ReplayError("field 'id' must be a string")
    message_id = str(message) if message is not None else hashlib.sha1(raw).hexdigest()[:16]
    cls = MessageEdited if kind == "edit" else MessagePosted
    prefix = "edit" if kind == "edit" else "message"
    return cls(
        community=community,
        member=member,
        at=at,
        event_id=event_id
        or f"{prefix}:{channel}:{message_id}" + (f":{at.isoformat()}" if kind == "edit" else ""),
        channel=channel,
        message=message_id,
        text=text,
        roles=_roles(obj),
        reply_to=_reference(obj, "reply_to"),
        thread=_reference(obj, "thread"),
        mentions=_mentions(obj),
    )


def read_events(
    lines: Iterable[bytes], errors: IO[str] = sys.stderr
) -> Iterator[tuple[int, Event | None]]:
    """Yield (line number, event) per line; malformed lines are reported and yield None."""
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            event = parse_event(jsonin.loads(raw), raw, number)
        except orjson.JSONDecodeError as exc:
            errors.write(f"line {number}: not valid JSON: {exc}\n")
            yield number, None
            continue
        except ReplayError as exc:
            errors.write(f"line {number}: {exc}\n")
            yield number, None
            continue
        yield number, event

"""Events that could not be stored: written aside with their error, listed and retried later."""

from __future__ import annotations

import json
import logging
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.core.clean import clean_event, clean_text
from groupbot.core.events import CommandIssued, Event, MemberJoined, MessageEdited, MessagePosted
from groupbot.service.metrics import FAILED_EVENTS
from groupbot.storage.repositories.failed import keep_failed

__all__ = ["DeadLetters", "event_from_json", "event_to_json"]

log = logging.getLogger(__name__)

_KINDS: dict[str, type[Event]] = {
    "join": MemberJoined,
    "message": MessagePosted,
    "edit": MessageEdited,
    "command": CommandIssued,
}
_NAMES = {cls: name for name, cls in _KINDS.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def event_to_json(event: Event) -> str:
    """The event as ASCII JSON (NUL and lone surrogates escaped, so any database stores it)."""
    body = {f.name: _plain(getattr(event, f.name)) for f in fields(event)}
    return json.dumps({"type": _NAMES[type(event)], **body}, ensure_ascii=True)


def event_from_json(payload: str) -> Event:
    """The event a dead letter holds, exactly as it first arrived."""
    body = json.loads(payload)
    cls = _KINDS[body.pop("type")]
    body["at"] = datetime.fromisoformat(body["at"])
    if body.get("roles") is not None:
        body["roles"] = frozenset(body["roles"])
    if "args" in body:
        body["args"] = tuple(body["args"])
    return cls(**body)


class DeadLetters:
    """Keeps events the bot could not store, each in its own transaction."""

    def __init__(self, db: AsyncEngine, platform: str) -> None:
        self.db = db
        self.platform = platform

    async def keep(self, event: Event, error: BaseException) -> int:
        """Write the event aside with its error (raises if even that cannot be stored)."""
        safe = clean_event(event)
        reason = clean_text(f"{type(error).__name__}: {error}")
        async with self.db.begin() as conn:
            failed_id = await keep_failed(
                conn,
                platform=self.platform,
                community=safe.community,
                event_id=safe.event_id,
                kind=_NAMES[type(event)],
                payload=event_to_json(event),
                error=reason,
                at=datetime.now(UTC),
            )
        FAILED_EVENTS.labels(platform=self.platform).inc()
        log.error("event %s kept as failed event %d: %s", safe.event_id, failed_id, reason[:200])
        return failed_id

"""Channels merged into one time-ordered stream of records and the core events they become."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Protocol

from groupbot.core.clean import clean_event
from groupbot.core.events import Event, MemberJoined, MessageEdited, MessagePosted
from groupbot.local.history.records import Record

__all__ = ["Export", "Step", "event_of", "events_of", "merged"]

Step = tuple[Record, Event | None]


class Export(Protocol):
    """An export reader: who the community is and one time-ordered iterator per channel."""

    platform: str
    community: str
    community_name: str

    def channels(self) -> list[Iterator[Record]]:
        """One iterator per channel."""
        ...


def _at(record: Record) -> datetime:
    return record.at


def merged(channels: Iterable[Iterator[Record]]) -> Iterator[Record]:
    """Every channel's records in time order, holding one record per channel at a time."""
    return heapq.merge(*channels, key=_at)


def events_of(
    records: Iterable[Record],
    community: str,
    *,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
    clean: bool = True,
) -> Iterator[Step]:
    """Each record with the core event it becomes (None when it becomes none).

    A member's first join is a join to the community unless they were active earlier in the
    export; later joins are not new members. Records before `date_from` only tell who was
    there already; the stream stops after `date_to`. Without `clean`, the events are
    `event_of`'s own, their text not cleaned yet (the caller cleans them).
    """
    known: set[str] = set()
    for record in records:
        at = record.at
        if date_to is not None and at >= date_to:
            return
        member = record.member
        fresh = member not in known
        if fresh and member:
            known.add(member)
        if date_from is not None and at < date_from:
            continue
        event = event_of(record, community) if fresh or record.kind != "join" else None
        yield record, event if event is None or not clean else clean_event(event)


def event_of(record: Record, community: str) -> Event | None:
    """The core event a record becomes, before its text is cleaned (a join: if it is new)."""
    kind = record.kind
    if kind == "post":
        return _post(MessagePosted, record, community, f"message:{record.channel}:{record.message}")
    if kind == "edit":
        at = record.at.isoformat()
        return _post(
            MessageEdited, record, community, f"edit:{record.channel}:{record.message}:{at}"
        )
    if kind == "join":
        return MemberJoined(
            community=community,
            member=record.member,
            at=record.at,
            event_id=f"join:{record.member}:{record.at.isoformat()}",
            name=record.name,
            roles=record.roles,
        )
    return None


def _post(
    made: type[MessagePosted | MessageEdited], record: Record, community: str, event_id: str
) -> MessagePosted | MessageEdited:
    """A post or an edit of a record (its fields in order: keywords cost more, once a message)."""
    r = record
    return made(
        community, r.member, r.at, event_id, r.channel, r.message, r.text, r.name, r.roles,
        r.context, r.thread, r.mentions,
    )  # fmt: skip

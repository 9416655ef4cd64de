"""Open a history in any of the formats and turn it into one stream of (record, event) steps."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from groupbot.core.clean import clean_event
from groupbot.core.events import CommandIssued, Event, MemberJoined, MessageEdited
from groupbot.local.history.detect_format import Format, FormatError, detect_format
from groupbot.local.history.discord_export import DiscordExport
from groupbot.local.history.merge import Export, Step, events_of, merged
from groupbot.local.history.records import Problems, Record
from groupbot.local.history.slack_export import SlackExport
from groupbot.local.history.tree import open_tree
from groupbot.local.history.upstream import read_events

__all__ = ["History", "open_history"]


@dataclass
class History:
    """A history ready to stream: where it came from, whose it is, and its steps."""

    path: Path
    format: Format
    platform: str
    community: str
    community_name: str
    problems: Problems
    export: Export | None = None

    def steps(
        self, date_from: datetime | None = None, date_to: datetime | None = None
    ) -> Iterator[Step]:
        """Every record in time order with the core event it becomes."""
        for record, event, _ in self.built_steps(date_from, date_to):
            yield record, event

    def built_steps(
        self, date_from: datetime | None = None, date_to: datetime | None = None
    ) -> Iterator[tuple[Record, Event | None, bool]]:
        """`steps`, each with whether its event is `event_of(record)` itself (cleaning changed
        nothing): a process sending the steps elsewhere can leave those to be built there."""
        if self.export is None:  # JSON Lines: the events carry their own ids
            for record, event in _jsonl_steps(self.path, self.problems, date_from, date_to):
                yield record, event, False
            return
        records = merged(self.export.channels())
        raw = events_of(records, self.community, date_from=date_from, date_to=date_to, clean=False)
        for record, made in raw:
            event = made if made is None else clean_event(made)
            yield record, event, event is not None and event is made

    def close(self) -> None:
        """Release the export's archive, if it has one."""
        tree = getattr(self.export, "tree", None)
        if tree is not None:
            tree.close()

    def reopen(self) -> None:
        """Open the export's archive again, for a second process reading it too."""
        tree = getattr(self.export, "tree", None)
        if tree is not None:
            tree.reopen()


def open_history(
    path: Path,
    fmt: str = "auto",
    problems: Problems | None = None,
    *,
    owners: frozenset[str] = frozenset(),
    owner_roles: frozenset[str] = frozenset(),
    include_private: bool = False,
) -> History:
    """The history at `path`; raises FormatError when it cannot be read at all."""
    problems = problems or Problems()
    chosen: Format = detect_format(path) if fmt == "auto" else _checked(fmt)
    if chosen == "jsonl":
        if not path.is_file():
            raise FormatError(f"{path}: JSON Lines must be a file")
        return History(path, chosen, "replay", "", "", problems)
    export: Export
    if chosen == "slack-export":
        try:
            tree = open_tree(path)
        except (OSError, ValueError, zipfile.BadZipFile) as exc:
            raise FormatError(f"{path}: not a readable Slack export: {exc}") from None
        export = SlackExport(tree, problems, owners=owners, include_private=include_private)
    else:
        if not path.exists():
            raise FormatError(f"{path}: no such file or folder")
        export = DiscordExport(path, problems, owners=owners, owner_roles=owner_roles)
    return History(
        path, chosen, export.platform, export.community, export.community_name, problems, export
    )


def _checked(fmt: str) -> Format:
    if fmt == "jsonl":
        return "jsonl"
    if fmt == "slack-export":
        return "slack-export"
    if fmt == "discord-export":
        return "discord-export"
    raise FormatError(f"unknown format {fmt!r}: use jsonl, slack-export, discord-export or auto")


def _record(event: Event) -> Record:
    if isinstance(event, MemberJoined):
        return Record(
            "join", event.at, "", event.member, name=event.name, roles=event.roles or frozenset()
        )
    if isinstance(event, CommandIssued):
        return Record(
            "command", event.at, event.channel or "", event.member, roles=event.roles or frozenset()
        )
    return Record(
        "edit" if isinstance(event, MessageEdited) else "post",
        event.at,
        event.channel,
        event.member,
        message=event.message,
        text=event.text,
        name=event.name,
        roles=event.roles or frozenset(),
    )


def _jsonl_steps(
    path: Path, problems: Problems, date_from: datetime | None, date_to: datetime | None
) -> Iterator[Step]:
    with path.open("rb") as lines:
        for _, event in read_events(lines, problems.errors):
            if event is None:
                problems.count += 1
                continue
            if (date_from and event.at < date_from) or (date_to and event.at >= date_to):
                continue
            yield _record(event), event

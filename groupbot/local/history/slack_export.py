"""Slack's workspace export (ZIP or folder): users, conversations, and one JSON file per day."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from groupbot.core.mentions import mentioned_members
from groupbot.local.history.records import OWNER, Problems, Record
from groupbot.local.history.tree import ExportTree

__all__ = ["Conversation", "SlackExport", "SlackUser", "slack_time"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Subtypes that are a member's own words; every other subtype is the system talking.
POST_SUBTYPES = frozenset({None, "thread_broadcast", "file_share", "me_message"})
JOIN_SUBTYPES = frozenset({"channel_join", "group_join"})
BOT_SUBTYPES = frozenset({"bot_message", "bot_add", "bot_remove"})
SLACKBOT = "USLACKBOT"
# (file, public?, folder key): dms.json folders are named by the conversation id.
CONVERSATION_FILES = (
    ("channels.json", True, "name"),
    ("groups.json", False, "name"),
    ("mpims.json", False, "name"),
    ("dms.json", False, "id"),
)


@dataclass(frozen=True, slots=True)
class SlackUser:
    """What users.json says about one person."""

    name: str
    roles: frozenset[str]
    bot: bool


@dataclass(frozen=True, slots=True)
class Conversation:
    """A channel folder of the export."""

    folder: str
    name: str
    public: bool


def slack_time(ts: str) -> datetime:
    """Slack's `ts` ("1704189600.000200") as a UTC time, exact to the microsecond."""
    seconds, _, fraction = ts.partition(".")
    return EPOCH + timedelta(seconds=int(seconds), microseconds=int(fraction[:6].ljust(6, "0")))


def _json(tree: ExportTree, name: str, problems: Problems) -> Any:
    try:
        return orjson.loads(tree.read(name))
    except orjson.JSONDecodeError as exc:
        problems.report(name, f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")
    except (OSError, KeyError, zipfile.BadZipFile, zlib.error) as exc:
        problems.report(name, f"cannot be read: {exc}")
    return None


class SlackExport:
    """One workspace's export; `channels()` yields one time-ordered record iterator per channel."""

    platform = "slack"

    def __init__(
        self,
        tree: ExportTree,
        problems: Problems,
        *,
        owners: frozenset[str] = frozenset(),
        include_private: bool = False,
    ) -> None:
        self.tree = tree
        self.problems = problems
        self.owners = owners
        self.include_private = include_private
        self.users = self._users()
        self.conversations = self._conversations()
        self.community = self._team() or "slack"
        self.community_name = self.community

    def _users(self) -> dict[str, SlackUser]:
        users: dict[str, SlackUser] = {}
        for name in ("users.json", "org_users.json"):
            data = _json(self.tree, name, self.problems) if self.tree.exists(name) else None
            if not isinstance(data, list):
                continue
            for user in data:
                if not isinstance(user, dict) or not isinstance(user.get("id"), str):
                    continue
                profile = user.get("profile")
                profile = profile if isinstance(profile, dict) else {}
                shown = (
                    profile.get("display_name")
                    or profile.get("real_name")
                    or user.get("real_name")
                    or user.get("name")
                    or ""
                )
                owner = any(user.get(k) for k in ("is_owner", "is_admin", "is_primary_owner"))
                users[user["id"]] = SlackUser(
                    name=str(shown),
                    roles=OWNER if owner or user["id"] in self.owners else frozenset(),
                    bot=bool(user.get("is_bot")) or user["id"] == SLACKBOT,
                )
            self._team_ids = [u.get("team_id") for u in data if isinstance(u, dict)]
        return users

    def _team(self) -> str | None:
        teams = [t for t in getattr(self, "_team_ids", []) if isinstance(t, str) and t]
        return max(set(teams), key=teams.count) if teams else None

    def _conversations(self) -> list[Conversation]:
        found: list[Conversation] = []
        listed = False
        for name, public, key in CONVERSATION_FILES:
            if not self.tree.exists(name):
                continue
            listed = listed or public
            data = _json(self.tree, name, self.problems)
            if not isinstance(data, list) or not (public or self.include_private):
                continue
            for conv in data:
                folder = conv.get(key) if isinstance(conv, dict) else None
                if isinstance(folder, str) and folder:
                    found.append(Conversation(folder, str(conv.get("name") or folder), public))
        if not listed:  # no channels.json: every folder is taken as a public channel
            known = {c.folder for c in found}
            found += [Conversation(f, f, True) for f in self.tree.folders() if f not in known]
        return found

    def channels(self) -> list[Iterator[Record]]:
        """One iterator per conversation, each in time order."""
        return [self._channel(conv) for conv in self.conversations]

    def _channel(self, conv: Conversation) -> Iterator[Record]:
        for path in self.tree.files_in(conv.folder):
            if not path.endswith(".json"):
                continue
            day = _json(self.tree, path, self.problems)
            if day is None:
                continue
            if not isinstance(day, list):
                self.problems.report(path, "expected a list of messages")
                continue
            records: list[Record] = []
            for index, message in enumerate(day, 1):
                try:
                    record = self._record(message, conv.name)
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    self.problems.report(path, f"message {index}: {_why(exc)}")
                    continue
                if record is not None:
                    records.append(record)
            records.sort(key=_at)  # a day file is small; Slack writes it in order, mostly
            yield from records

    def _record(self, m: dict[str, Any], channel: str) -> Record | None:
        subtype = m.get("subtype")
        ts = m["ts"]
        if not isinstance(ts, str):
            raise TypeError("field 'ts' must be a string")
        at = slack_time(ts)
        if subtype == "message_changed":
            inner = m["message"]
            if self._bot(inner, inner.get("subtype")):
                return None
            return self._said("edit", at, channel, inner, inner["ts"])
        if subtype == "message_deleted":
            before = m.get("previous_message") or {}
            return Record("delete", at, channel, str(before.get("user") or ""), m["deleted_ts"])
        if self._bot(m, subtype):
            return None
        if subtype in JOIN_SUBTYPES:
            member = m["user"]
            user = self.users.get(member)
            return Record(
                "join",
                at,
                channel,
                member,
                name=user.name if user else "",
                roles=self._roles(member),
            )
        if subtype not in POST_SUBTYPES:
            return None
        return self._said("post", at, channel, m, ts)

    def _said(
        self, kind: str, at: datetime, channel: str, m: dict[str, Any], message: str
    ) -> Record:
        member = m["user"]
        if not isinstance(member, str):
            raise TypeError("field 'user' must be a string")
        user = self.users.get(member)
        thread = m.get("thread_ts")
        text = m.get("text")
        return Record(
            "edit" if kind == "edit" else "post",
            at,
            channel,
            member,
            message=message,
            text=text if isinstance(text, str) else "",
            name=user.name if user else str(m.get("user_name") or ""),
            roles=self._roles(member),
            context=thread if isinstance(thread, str) and thread != message else None,
            thread=thread if isinstance(thread, str) and thread != message else None,
            mentions=mentioned_members(text) if isinstance(text, str) else (),
        )

    def _roles(self, member: str) -> frozenset[str]:
        user = self.users.get(member)
        if user is not None:
            return user.roles
        return OWNER if member in self.owners else frozenset()

    def _bot(self, m: dict[str, Any], subtype: object) -> bool:
        if subtype in BOT_SUBTYPES or m.get("bot_id") or m.get("bot_profile"):
            return True
        user = self.users.get(m.get("user") or "")
        return m.get("user") == SLACKBOT or (user is not None and user.bot)


def _at(record: Record) -> datetime:
    return record.at


def _why(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"no field {exc.args[0]!r}"
    return str(exc) or type(exc).__name__

"""The backtest's figures, gathered while the history streams through the engine."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from groupbot.core.actions import Action, format_time
from groupbot.core.engine import Verdict
from groupbot.core.owners import OWNER_ROLES
from groupbot.core.rulebook import Rulebook
from groupbot.local.backtest.spool import NoteSpool
from groupbot.local.history.merge import Step

__all__ = ["Collector", "week_of"]

QUOTE_CHARS = 400
DECIDED = frozenset({"request_approved", "request_denied", "request_withdrawn"})
# Signals that only restate others in a model's words: they add nothing an owner can check.
QUIET_SIGNALS = frozenset({"learned_phrase"})


def week_of(at: datetime) -> date:
    """The Monday of the week `at` falls in (UTC)."""
    day = at.date()
    return day - timedelta(days=day.weekday())


@dataclass
class Week:
    """One week's counts."""

    newcomers: int = 0
    introduced: int = 0
    posts: int = 0
    promotional: int = 0
    notes: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    waits: list[float] = field(default_factory=list)  # hours, one per answered request
    expired: int = 0


class Collector:
    """Listens to the steps, the verdicts and the actions, and adds them up."""

    def __init__(self, rulebook: Rulebook) -> None:
        self.rulebook = rulebook
        self.expire = timedelta(hours=rulebook.approvals.expire_after_hours)
        self._owners = frozenset(rulebook.owners.members) | frozenset(rulebook.owners.moderators)
        self.weeks: defaultdict[date, Week] = defaultdict(Week)
        self.read = 0
        self.kinds: Counter[str] = Counter()
        self.members: set[str] = set()
        self.names: dict[str, str] = {}
        self.joined: dict[str, date] = {}  # newcomer -> week joined
        self.introduced: set[str] = set()
        self.first_at: datetime | None = None
        self.last_at: datetime | None = None
        self.channels: set[str] = set()
        self.actions: Counter[str] = Counter()
        self.notes = NoteSpool()
        self._note: dict[str, Any] | None = None  # the latest note, until its event is done
        self._noted: set[tuple[str, str]] = set()  # (channel, message) of every note
        self._held: set[tuple[str, str]] = set()
        self._pending: dict[int, datetime] = {}  # request -> when it was asked
        self._step: Step | None = None
        self._day: date | None = None  # of the last post counted, and its week:
        self._week = Week()  # most posts fall on the same day as the one before
        self.unanswered = 0

    # -- listeners -------------------------------------------------------------------------

    def on_step(self, step: Step) -> None:
        """A record read from the history (before the engine sees its event)."""
        record, event = step
        self._keep_note()
        self._step = step
        self.read += 1
        self.kinds[record.kind] += 1
        at = record.at
        if self.first_at is None:
            self.first_at = at
        self.last_at = at if self.last_at is None or at > self.last_at else self.last_at
        member = record.member
        if member:
            self.members.add(member)
            if record.name and member not in self.names:
                self.names[member] = record.name
        if record.channel:
            self.channels.add(record.channel)
        if record.kind == "join" and event is not None:
            week = week_of(at)
            self.joined[member] = week
            self.weeks[week].newcomers += 1
        elif record.kind == "delete" and (record.channel, record.message) in self._noted:
            self.notes.deleted.add((record.channel, record.message))
        if self._pending and record.kind in ("post", "edit", "command") and self._owner(step):
            self._answer(at)

    def forget_step(self) -> None:
        """No record is current any more (the actions that follow quote no post)."""
        self._keep_note()
        self._step = None

    def on_verdict(self, verdict: Verdict, channel: str, uncounted: bool) -> None:
        """The engine's verdict on a post; edits and promotion channels are not counted."""
        if uncounted or self._step is None:
            return
        self.count_post(self._step[0].at, verdict.analysis.promotional)

    def count_post(self, at: datetime, promotional: bool) -> None:
        """One counted post and whether it was promotional."""
        day = at.date()
        if day != self._day:
            self._day, self._week = day, self.weeks[week_of(at)]
        week = self._week
        week.posts += 1
        week.promotional += promotional

    def on_action(self, action: Action) -> None:
        """One action the bot took."""
        self.on_logged(action.kind, action.at, action.fields())

    def on_logged(self, kind: str, at: datetime, f: dict[str, Any]) -> None:
        """One action as its JSON fields (from the engine, or read back from the audit log)."""
        self.actions[kind] += 1
        if kind == "introduced":
            member = f["member"]
            week = self.joined.get(member)
            if week is not None and member not in self.introduced:
                self.introduced.add(member)
                self.weeks[week].introduced += 1
        elif kind == "etiquette_note":
            self._take_note(at, f)
        elif kind == "hold":
            key = (str(f.get("channel")), str(f.get("message")))
            self._held.add(key)
            note = self._note
            if note is not None and (note["channel"], note["message"]) == key:
                note["held"], note["request"] = True, f.get("request")
        elif kind == "approval_requested":
            self._pending[int(f["request"])] = at
            self.weeks[week_of(at)].requests += 1
        elif kind == "request_expired":
            asked = self._pending.pop(int(f["request"]), None)
            if asked is not None:
                self.weeks[week_of(asked)].expired += 1
        elif kind in DECIDED and f.get("request") is not None:
            asked = self._pending.pop(int(f["request"]), None)  # a real owner's decision
            if asked is not None:
                self.weeks[week_of(asked)].waits.append((at - asked).total_seconds() / 3600)

    # -- helpers ---------------------------------------------------------------------------

    def _owner(self, step: Step) -> bool:
        record = step[0]
        return bool(record.roles & OWNER_ROLES) or record.member in self._owners

    def _answer(self, at: datetime) -> None:
        """An owner is active: every waiting request is taken to be answered now."""
        for request, asked in list(self._pending.items()):
            waited = at - asked
            week = self.weeks[week_of(asked)]
            if waited >= self.expire:
                week.expired += 1
            else:
                week.waits.append(waited.total_seconds() / 3600)
            del self._pending[request]

    def _keep_note(self) -> None:
        if self._note is not None:
            self.notes.append(self._note)
            self._note = None

    def _take_note(self, at: datetime, f: dict[str, Any]) -> None:
        self.weeks[week_of(at)].notes[str(f["rule"])] += 1
        record = self._step[0] if self._step is not None else None
        post = record.text if record is not None else ""
        member = str(f["member"])
        reasons = [str(x.get("detail") or x.get("evidence")) for x in f.get("findings") or ()]
        reasons += [
            f"{x.get('detail')} (\u201c{x.get('evidence')}\u201d)"
            for x in f.get("reasons") or ()
            if x and x.get("signal") not in QUIET_SIGNALS
        ]
        self._keep_note()
        note: dict[str, Any] = {
            "at": format_time(at),
            "member": member,
            "member_name": self.names.get(member, member),
            "channel": str(f.get("channel") or (record.channel if record else "")),
            "message": str(f.get("message")),
            "rule": str(f["rule"]),
            "rules": list(f.get("rules") or [f["rule"]]),
            "post": post[:QUOTE_CHARS] + ("…" if len(post) > QUOTE_CHARS else ""),
            "reasons": list(dict.fromkeys(reasons)),
            "held": False,
            "request": None,
            "deleted_later": False,
        }
        self._note = note
        self._noted.add((note["channel"], note["message"]))

    # -- result ----------------------------------------------------------------------------

    def figures(self) -> dict[str, Any]:
        """Everything the report shows but the notes (see `notes`), as JSON-ready data."""
        self._keep_note()
        self.unanswered = len(self._pending)
        weeks = []
        posts = promotional = 0
        by_rule: Counter[str] = Counter()
        waits: list[float] = []
        expired = 0
        for start in _every_week(self.weeks):
            w = self.weeks.get(start, Week())
            posts += w.posts
            promotional += w.promotional
            by_rule.update(w.notes)
            waits += w.waits
            expired += w.expired
            weeks.append(
                {
                    "week": start.isoformat(),
                    "newcomers": w.newcomers,
                    "introduced": w.introduced,
                    "intro_rate": _share(w.introduced, w.newcomers),
                    "posts": w.posts,
                    "promotional": w.promotional,
                    "promotional_share": _share(w.promotional, w.posts),
                    "notes": dict(sorted(w.notes.items())),
                    "requests": w.requests,
                    "wait_hours_median": _round(statistics.median(w.waits)) if w.waits else None,
                    "wait_hours_max": _round(max(w.waits)) if w.waits else None,
                    "expired": w.expired,
                }
            )
        joined = len(self.joined)
        return {
            "first_at": format_time(self.first_at) if self.first_at else None,
            "last_at": format_time(self.last_at) if self.last_at else None,
            "messages_read": self.read,
            "records": dict(sorted(self.kinds.items())),
            "channels": len(self.channels),
            "members_seen": len(self.members),
            "joined": joined,
            "introduced": len(self.introduced),
            "intro_rate": _share(len(self.introduced), joined),
            "welcomes": self.actions["welcome"],
            "notes": self.actions["etiquette_note"],
            "held": len(self._held),
            "requests": self.actions["approval_requested"],
            "posts": posts,
            "promotional_posts": promotional,
            "promotional_share": _share(promotional, posts),
            "notes_by_rule": dict(by_rule.most_common()),
            "wait_hours_median": _round(statistics.median(waits)) if waits else None,
            "requests_expired": expired,
            "requests_unanswered": self.unanswered,
            "actions": dict(sorted(self.actions.items())),
            "weeks": weeks,
        }


def _every_week(weeks: dict[date, Week]) -> list[date]:
    if not weeks:
        return []
    first, last = min(weeks), max(weeks)
    return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _round(hours: float) -> float:
    return round(hours, 1)

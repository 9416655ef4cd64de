"""The history read, and its posts' detection run, ahead in a second process.

Reading an export and building its events, and the detector's work, need nothing the engine
decides (the detector's verdict depends only on its key: text, intro channel, own domains,
conversation), so a forked process does them while this one runs the engine. It sends the
steps in batches, with each new key's analysis once and the keys it has dropped since; the
engine takes an analysis from here when its own key matches, and runs the detector itself
otherwise. The actions are the same either way, only sooner.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import io
import multiprocessing
import pickle
import sys
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

from groupbot.core.context import ConversationTracker, conversation_of
from groupbot.core.detect import Analysis, Conversation, Message
from groupbot.core.engine import AnalysisKey, Engine, learn_own_domains
from groupbot.core.events import Event, MessageEdited, MessagePosted, Post
from groupbot.core.rulebook import Rulebook
from groupbot.local.gc_tuning import REPLAY_YOUNG_THRESHOLD, rare_collections
from groupbot.local.history.merge import Step, event_of
from groupbot.local.history.records import Problems, Record
from groupbot.local.history.source import History

__all__ = ["EVERY", "KEPT", "Ahead", "history_ahead"]

EVERY = 2_000  # steps per message from the second process
KEPT = 8_192  # analyses kept on each side at most (more than twice EVERY: see _Analyst)
PIPE_BYTES = 1 << 20  # a few batches of steps
NO_DOMAINS: frozenset[str] = frozenset()
BUILT = 1  # in place of an event that event_of builds again from its record
Place = tuple[bool, bool, int, bool]  # a Conversation's fields, cheaper to send
# Key id, then the key (text, intro channel, own domains, conversation) and its analysis.
Added = tuple[int, str, bool, frozenset[str], Place, Analysis]
Item = tuple[tuple[Any, ...], Event | int | None]  # a record's fields, its event or BUILT
Note = tuple[str, int]  # problems met before a step: their lines, how many


class Ahead:
    """This process's side: the steps as they come, and the analyses received so far."""

    def __init__(self, connection: Connection, problems: Problems, community: str) -> None:
        self.store: dict[AnalysisKey, Analysis] = {}
        self._keys: dict[int, AnalysisKey] = {}
        self._connection = connection
        self._problems = problems
        self._community = community

    def steps(self) -> Iterator[Step]:
        """Every step of the history, its problems reported where the reader met them."""
        problems, community = self._problems, self._community
        last = False
        while not last:
            items, notes, last = self._receive()
            make = Record._make
            for n, (values, code) in enumerate(items):
                if n in notes:
                    _report(problems, *notes[n])
                record = make(values)
                yield record, event_of(record, community) if isinstance(code, int) else code
            if len(items) in notes:  # met after the last step
                _report(problems, *notes[len(items)])

    def _receive(self) -> tuple[list[Item], dict[int, Note], bool]:
        try:
            message = pickle.loads(self._connection.recv_bytes())
        except (EOFError, OSError):
            raise RuntimeError("the process reading the history stopped") from None
        if isinstance(message, BaseException):
            raise message
        dropped, added, items, notes, last = message
        store, keys = self.store, self._keys
        for key_id in dropped:
            store.pop(keys.pop(key_id), None)
        for key_id, text, intro, own, place, analysis in added:
            key = (text, intro, own, conversation_of(*place))
            keys[key_id] = key
            store[key] = analysis
        return items, notes, last


def _report(problems: Problems, text: str, count: int) -> None:
    """Problems the other process met, written and counted here."""
    if text:
        problems.errors.write(text)
        problems.errors.flush()
    problems.count += count


@contextmanager
def history_ahead(
    history: History,
    rulebook: Rulebook,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
) -> Iterator[Ahead]:
    """Start the second process on the history; stop it when done."""
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    _widen(sending)
    process = context.Process(
        target=_read, args=(history, rulebook, date_from, date_to, sending), daemon=True
    )
    # Frozen, what exists is never scanned by the other process's collector, so the pages it
    # shares with this one are not copied (the collector writes into every object it scans).
    gc.freeze()
    for stream in (sys.stdout, sys.stderr):  # else what they buffer is written twice
        stream.flush()
    process.start()
    sending.close()
    try:
        yield Ahead(receiving, history.problems, history.community)
    finally:
        gc.unfreeze()
        receiving.close()
        process.join(timeout=1.0)
        if process.is_alive():  # stopped early (an error): it is blocked on the pipe
            process.kill()
            process.join()


def _widen(connection: Connection) -> None:
    """Let a few batches wait in the pipe, so a moment's pause on either side costs nothing."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux, or over the limit
        fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _read(
    history: History,
    rulebook: Rulebook,
    date_from: datetime | None,
    date_to: datetime | None,
    connection: Connection,
) -> None:
    """The second process: read the history, analyse its posts, send it all in batches."""
    history.reopen()
    reader = _Reader(history, _Analyst(Engine(rulebook)))
    try:
        with rare_collections(REPLAY_YOUNG_THRESHOLD):
            for record, event, built in history.built_steps(date_from, date_to):
                reader.note()
                reader.add(record, event, built)
                if len(reader.items) == EVERY:
                    connection.send_bytes(reader.batch(last=False))
            reader.note()
            connection.send_bytes(reader.batch(last=True))
    except BaseException as exc:  # raised on the other side, as reading there would have
        connection.send_bytes(_pickled_error(exc))
    finally:
        connection.close()


def _pickled_error(exc: BaseException) -> bytes:
    try:
        return pickle.dumps(exc, pickle.HIGHEST_PROTOCOL)
    except Exception:
        return pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))


class _Reader:
    """The batch being gathered: steps, the problems met before each, and the analyses."""

    def __init__(self, history: History, analyst: _Analyst) -> None:
        self.history = history
        self.analyst = analyst
        self.problems = history.problems
        self.errors = self.problems.errors = io.StringIO()  # sent, and written on the other side
        self.counted = self.problems.count
        self.items: list[Item] = []
        self.notes: dict[int, Note] = {}  # by the step they come before
        self.posts: list[Post] = []  # analysed together when the batch is sent

    def note(self) -> None:
        """Problems reported since the last step: due before the next one."""
        text, count = self.errors.getvalue(), self.problems.count - self.counted
        if text or count:
            self.notes[len(self.items)] = (text, count)
            self.errors.seek(0)
            self.errors.truncate()
            self.counted = self.problems.count

    def add(self, record: Record, event: Event | None, built: bool) -> None:
        """One step; its event is built again on the other side when `built` (the event is
        `event_of(record)`)."""
        code: Event | int | None = BUILT if built else event
        if isinstance(event, MessagePosted | MessageEdited):
            self.posts.append(event)
        self.items.append((tuple(record), code))  # a plain tuple: cheaper to send

    def batch(self, *, last: bool) -> bytes:
        """Everything gathered since the last batch, ready to send."""
        analyst = self.analyst
        analyst.posts(self.posts)
        self.posts = []
        message = (analyst.dropped, analyst.added, self.items, self.notes, last)
        data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
        analyst.dropped, analyst.added, self.items, self.notes = [], [], [], {}
        return data


@dataclass(slots=True)
class _Member:
    """What a member's analyses depend on: an introduction seen, the domains taken as own."""

    introduced: bool = False
    own: set[str] = field(default_factory=set)
    promoted: dict[str, int] = field(default_factory=dict)


class _Analyst:
    """Follows the posts as Engine.evaluate will, and gathers the new keys' analyses.

    A key is sent once while it is among the KEPT most recently used; the ids of keys that
    fall out are sent too, so both sides keep the same keys. A key used in a batch is among
    the most recent at its end, as a batch has fewer than KEPT posts: dropping one key and
    adding it again in one batch is the only order the receiver has to follow.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.tracker = ConversationTracker()
        self.members: dict[tuple[str, str], _Member] = {}
        self.sent: OrderedDict[AnalysisKey, tuple[int, Analysis]] = OrderedDict()
        self.dropped: list[int] = []
        self.added: list[Added] = []
        self.next_id = 0
        self.guessed: dict[AnalysisKey, Analysis] = {}

    def posts(self, events: list[Post]) -> None:
        """`post` for each event in turn, their likely analyses made all at once beforehand.

        A post's key is guessed from its member as the batch begins (`analyze_many` is
        faster than one by one); a member whose introduction or own domains the batch changes
        has the posts after it analysed as usual. A guess only ever serves its own key.
        """
        places = [self.tracker.place(e, remember=not isinstance(e, MessageEdited)) for e in events]
        guesses: dict[AnalysisKey, Message] = {}
        for event, conversation in zip(events, places, strict=True):
            key = self._key(event, self._member(event), conversation)
            if key not in self.sent:
                guesses.setdefault(key, Message(*key))
        found = self.engine.detector.analyze_many(list(guesses.values()))
        self.guessed = dict(zip(guesses, found, strict=True))
        for event, conversation in zip(events, places, strict=True):
            self._post(event, conversation)
        self.guessed = {}

    def _member(self, event: Post) -> _Member:
        key = (event.community, event.member)
        member = self.members.get(key)
        if member is None:  # not setdefault: that would make a _Member for every post
            member = self.members[key] = _Member()
        return member

    def _key(self, event: Post, member: _Member, conversation: Conversation) -> AnalysisKey:
        intro = self.engine.channel_facts(event.channel)[0]
        own = frozenset(member.own) if member.own else NO_DOMAINS
        return (event.text, intro, own, conversation)

    def _post(self, event: Post, conversation: Conversation) -> None:
        """The analyses the engine will ask for, in the order it asks for them."""
        edited = isinstance(event, MessageEdited)
        member = self._member(event)
        analysis = self._analysis(event, member, conversation)
        if analysis.introduction and not member.introduced:
            member.introduced = True
            member.own.update(link.domain for link in analysis.links if link.domain)
            analysis = self._analysis(event, member, conversation)
        if not edited:
            learn_own_domains(member.own, member.promoted, analysis)

    def _analysis(self, event: Post, member: _Member, conversation: Conversation) -> Analysis:
        key = self._key(event, member, conversation)
        text, intro, own, _ = key
        known = self.sent.get(key)
        if known is not None:
            self.sent.move_to_end(key)
            return known[1]
        analysis = self.guessed.get(key)
        if analysis is None:
            analysis = self.engine.detector.analyze(
                text, intro_channel=intro, own_domains=own, conversation=conversation
            )
        key_id = self.next_id
        self.next_id += 1
        self.sent[key] = (key_id, analysis)
        c = conversation
        place = (c.reply, c.thread, c.mentions, c.after_question)
        self.added.append((key_id, event.text, intro, own, place, analysis))
        if len(self.sent) > KEPT:
            self.dropped.append(self.sent.popitem(last=False)[1][0])
        return analysis

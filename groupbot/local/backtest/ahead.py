"""Detection run ahead in a second process: the analyses of a history's posts, by their key.

The detector's verdict depends only on its key (text, intro channel, own domains,
conversation) and its settings, so a second process that reads the same history can analyse
its posts while this one runs the engine. It sends each key's analysis once, with the keys
it has dropped since; the engine takes an analysis from here when its own key matches, and
runs the detector itself otherwise (a member with own domains, a conversation placed
differently). The actions are the same either way, only sooner.
"""

from __future__ import annotations

import io
import multiprocessing
import pickle
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from multiprocessing.connection import Connection

from groupbot.core.context import ConversationTracker
from groupbot.core.detect import Analysis, Conversation
from groupbot.core.engine import AnalysisKey, Engine
from groupbot.core.events import MessageEdited, MessagePosted
from groupbot.core.rulebook import Rulebook
from groupbot.local.history.merge import Step
from groupbot.local.history.source import History

__all__ = ["EVERY", "KEPT", "Ahead", "detection_ahead"]

EVERY = 2_000  # steps per message from the second process
KEPT = 8_192  # analyses kept here at most (more than EVERY: see `_analyse`)
NO_DOMAINS: frozenset[str] = frozenset()
# A conversation's fields: reply, thread, mentions, after_question.
Place = tuple[bool, bool, int, bool]
Added = tuple[int, str, bool, Place, Analysis]  # key id, text, intro channel, place, analysis


class Ahead:
    """This process's side: the analyses received so far, in step with the history."""

    def __init__(self, connection: Connection) -> None:
        self.store: dict[AnalysisKey, Analysis] = {}
        self._keys: dict[int, AnalysisKey] = {}
        self._connection: Connection | None = connection

    def follow(self, steps: Iterable[Step]) -> Iterator[Step]:
        """The same steps; before each EVERY of them, the analyses the other process made."""
        for n, step in enumerate(steps):
            if n % EVERY == 0:
                self._receive()
            yield step

    def _receive(self) -> None:
        connection = self._connection
        if connection is None:
            return
        try:
            dropped: list[int]
            added: list[Added]
            dropped, added = pickle.loads(connection.recv_bytes())
        except (EOFError, OSError):  # the other process is gone: the engine detects alone
            self._connection = None
            self.store.clear()
            return
        store, keys = self.store, self._keys
        for key_id in dropped:
            store.pop(keys.pop(key_id), None)
        for key_id, text, intro, conversation, analysis in added:
            key = (text, intro, NO_DOMAINS, Conversation(*conversation))
            keys[key_id] = key
            store[key] = analysis


@contextmanager
def detection_ahead(
    history: History,
    rulebook: Rulebook,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
) -> Iterator[Ahead]:
    """Start the second process on the same history; stop it when done."""
    receiving, sending = multiprocessing.get_context("fork").Pipe(duplex=False)
    process = multiprocessing.get_context("fork").Process(
        target=_analyse, args=(history, rulebook, date_from, date_to, sending), daemon=True
    )
    process.start()
    sending.close()
    try:
        yield Ahead(receiving)
    finally:
        receiving.close()
        process.join(timeout=1.0)
        if process.is_alive():  # stopped early (an error, --to): it is blocked on the pipe
            process.kill()
            process.join()


def _analyse(
    history: History,
    rulebook: Rulebook,
    date_from: datetime | None,
    date_to: datetime | None,
    connection: Connection,
) -> None:
    """The second process: read the history again and send each new key's analysis.

    A key is sent once while it is among the KEPT most recently used; the ids of keys that
    fall out are sent too, so both sides keep the same keys. A key used in a batch is among
    the most recent at its end, as a batch has fewer than KEPT posts: dropping one key and
    adding it again in one batch is the only order the receiver has to follow.
    """
    history.reopen()
    history.problems.errors = io.StringIO()  # this process's own copy: the other one reports
    engine = Engine(rulebook)
    tracker = ConversationTracker()
    sent: OrderedDict[AnalysisKey, int] = OrderedDict()
    dropped: list[int] = []
    added: list[Added] = []
    next_id = 0
    for n, (_, event) in enumerate(history.steps(date_from, date_to), 1):
        if isinstance(event, MessagePosted | MessageEdited):
            edited = isinstance(event, MessageEdited)
            conversation = tracker.place(event, remember=not edited)
            intro = engine.channel_facts(event.channel)[0]
            key = (event.text, intro, NO_DOMAINS, conversation)
            if key in sent:
                sent.move_to_end(key)
            else:
                analysis = engine.analyze(event.text, event.channel, None, conversation)
                sent[key] = next_id
                c = conversation
                place = (c.reply, c.thread, c.mentions, c.after_question)
                added.append((next_id, event.text, intro, place, analysis))
                next_id += 1
                if len(sent) > KEPT:
                    dropped.append(sent.popitem(last=False)[1])
        if n % EVERY == 0:
            connection.send_bytes(pickle.dumps((dropped, added), pickle.HIGHEST_PROTOCOL))
            dropped, added = [], []
    connection.send_bytes(pickle.dumps((dropped, added), pickle.HIGHEST_PROTOCOL))
    connection.close()

"""Where a post sits in its channel's talk: a reply, a thread answer, or an answer to a question."""

from __future__ import annotations

import re
from collections import OrderedDict
from datetime import datetime, timedelta

from groupbot.core.detect import Conversation
from groupbot.core.events import Post

__all__ = ["QUESTION_WINDOW", "ConversationTracker", "asks_question", "conversation_of"]

QUESTION_WINDOW = timedelta(minutes=30)  # an answer usually follows within minutes
CHANNELS = 4096  # channels remembered; the least recently active are forgotten first
CONVERSATIONS = 1024  # distinct conversation facts kept (they differ only by the mention count)
_LINK = re.compile(r"\S+://\S+|<[^>]*>")  # a '?' inside a URL or platform markup asks nothing
_QUESTION_MARKS = ("?", "\uff1f", "\u061f")  # ASCII, full-width, Arabic
_ZERO = timedelta(0)


def asks_question(text: str) -> bool:
    """Whether the text asks something (a question mark outside links)."""
    if "?" not in text and "\uff1f" not in text and "\u061f" not in text:
        return False  # most posts: no regex needed
    if "://" not in text and "<" not in text:
        return True  # nothing the link pattern could match
    bare = _LINK.sub(" ", text)
    return any(mark in bare for mark in _QUESTION_MARKS)


class ConversationTracker:
    """Remembers the last open question per channel, so an answer with a link reads as one."""

    def __init__(self, window: timedelta = QUESTION_WINDOW, size: int = CHANNELS) -> None:
        self._window = window
        self._size = size
        self._asked: OrderedDict[tuple[str, str], tuple[str, datetime]] = OrderedDict()

    def place(self, post: Post, *, remember: bool = True) -> Conversation:
        """The conversation facts of `post`; with `remember`, a question in it is kept for later."""
        key = (post.community, post.channel)
        asked = self._asked.get(key) if self._asked else None
        after_question = (
            asked is not None
            and asked[0] != post.member
            and _ZERO <= post.at - asked[1] <= self._window
        )
        if remember and asks_question(post.text):
            self._asked[key] = (post.member, post.at)
            self._asked.move_to_end(key)
            while len(self._asked) > self._size:
                self._asked.popitem(last=False)
        mentions = post.mentions
        return conversation_of(
            post.reply_to is not None,
            post.thread is not None,
            sum(1 for m in mentions if m != post.member) if mentions else 0,
            after_question,
        )


_KNOWN: dict[tuple[bool, bool, int, bool], Conversation] = {}


def conversation_of(reply: bool, thread: bool, mentions: int, after_question: bool) -> Conversation:
    """The Conversation of these facts, one object for each (few differ: most are made once)."""
    place = (reply, thread, mentions, after_question)
    known = _KNOWN.get(place)
    if known is None:
        if len(_KNOWN) >= CONVERSATIONS:
            _KNOWN.clear()
        known = _KNOWN[place] = Conversation(reply, thread, mentions, after_question)
    return known

"""Where a post sits in the talk: replies, threads, mentions and answers to a question."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from groupbot.core.context import ConversationTracker, asks_question
from groupbot.core.detect import Analysis, Conversation, Detector
from groupbot.core.engine import Engine
from groupbot.core.events import MessagePosted
from groupbot.core.mentions import mentioned_members
from groupbot.core.rulebook import Rulebook
from groupbot.core.state import MemberState

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def post(
    member: str, text: str, minute: int = 0, channel: str = "help", **extra: object
) -> MessagePosted:
    return MessagePosted(
        "T1",
        member,
        T0 + timedelta(minutes=minute),
        f"e{minute}{member}",
        channel,
        f"m{minute}",
        text,
        **extra,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("how do I add a repository?", True),
        ("¿alguien sabe cómo?", True),
        ("何ですか\uff1f", True),
        ("see https://example.org/search?q=apt", False),  # the '?' is the URL's
        ("<https://example.org/?a=1|docs> has it", False),
        ("thanks, that worked", False),
    ],
)
def test_a_question_is_a_question_mark_outside_links(text: str, asks: bool) -> None:
    assert asks_question(text) is asks


def test_an_answer_after_someone_elses_question_is_marked() -> None:
    tracker = ConversationTracker()
    assert tracker.place(post("ann", "how do I add a PPA?")) == Conversation()
    answer = tracker.place(post("bob", "see https://help.ubuntu.com/community/Repositories", 2))
    assert answer.after_question and not answer.reply


def test_own_question_late_answers_and_other_channels_are_not_answers() -> None:
    tracker = ConversationTracker(window=timedelta(minutes=30))
    tracker.place(post("ann", "anyone know a good pastebin?"))
    assert not tracker.place(post("ann", "https://paste.example/abc", 1)).after_question
    assert not tracker.place(post("bob", "https://paste.example/abc", 1, "random")).after_question
    assert not tracker.place(post("bob", "https://paste.example/abc", 31)).after_question


def test_an_edit_does_not_open_a_question() -> None:
    tracker = ConversationTracker()
    tracker.place(post("ann", "what is it?"), remember=False)
    assert not tracker.place(post("bob", "a link", 1)).after_question


def test_forgets_the_least_recent_channels_beyond_its_size() -> None:
    tracker = ConversationTracker(size=2)
    for n, channel in enumerate(("a", "b", "c")):
        tracker.place(post("ann", "why?", n, channel))
    assert not tracker.place(post("bob", "because", 3, "a")).after_question
    assert tracker.place(post("bob", "because", 3, "c")).after_question


def test_replies_threads_and_mentions_of_others_are_counted() -> None:
    placed = ConversationTracker().place(
        post("ann", "hi", reply_to="m0", thread="t1", mentions=("bob", "ann", "cy"))
    )
    assert placed == Conversation(reply=True, thread=True, mentions=2)


def test_mentions_are_read_from_both_platforms_markup_once_each() -> None:
    text = "thanks <@U12AB> and <@U12AB|ann>, cc <@!4242> <#C1|general> <@>"
    assert mentioned_members(text) == ("U12AB", "4242")


def test_a_flood_of_mentions_is_cut_at_a_hundred() -> None:
    text = " ".join(f"<@U{n}>" for n in range(5000))
    assert len(mentioned_members(text)) == 100


class Spy(Detector):
    def __init__(self, rulebook: Rulebook) -> None:
        super().__init__()
        self.seen: list[Conversation] = []

    def analyze(self, text: str, **options: object) -> Analysis:  # type: ignore[override]
        self.seen.append(options["conversation"])  # type: ignore[arg-type]
        return super().analyze(text, **options)  # type: ignore[arg-type]


def test_the_engine_hands_the_conversation_to_the_detector() -> None:
    rulebook = Rulebook()
    spy = Spy(rulebook)
    engine = Engine(rulebook, spy)
    where = Conversation(reply=True, mentions=1)
    engine.evaluate(
        MemberState("bob", T0), channel="help", message="m1", text="see the docs",
        at=T0, community="T1", conversation=where,
    )  # fmt: skip
    assert where in spy.seen

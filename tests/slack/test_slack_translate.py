"""Events API messages become core events that say where they sit in the conversation."""

from __future__ import annotations

from typing import Any

import pytest

from groupbot.adapters.slack.directory import UserInfo
from groupbot.adapters.slack.translate import Translator
from groupbot.core.events import MessageEdited, MessagePosted
from groupbot.core.rulebook import Rulebook


class Directory:
    async def user(self, team: str, user: str) -> UserInfo:
        return UserInfo(user, user.lower(), frozenset())

    async def channel_name(self, team: str, channel: str) -> str:
        return "help"


def translator() -> Translator:
    return Translator(Directory(), Rulebook())  # type: ignore[arg-type]


def message(text: str, ts: str = "1700000100.000200", **extra: Any) -> dict[str, Any]:
    return {"type": "message", "channel": "C1", "user": "U2", "text": text, "ts": ts, **extra}


async def test_a_thread_reply_answers_its_parent_and_names_its_mentions() -> None:
    event = message("<@U1> see <https://wiki.example/x>", thread_ts="1700000000.000100")
    posted = await translator().message("T1", "Ev1", event, "UBOT")
    assert isinstance(posted, MessagePosted)
    assert posted.reply_to == posted.thread == "1700000000.000100"
    assert posted.mentions == ("U1",)


@pytest.mark.parametrize("extra", [{}, {"thread_ts": "1700000100.000200"}])
async def test_a_channel_post_or_a_threads_start_is_no_reply(extra: dict[str, Any]) -> None:
    posted = await translator().message("T1", "Ev1", message("hello all", **extra), "UBOT")
    assert posted is not None
    assert (posted.reply_to, posted.thread, posted.mentions) == (None, None, ())


async def test_an_edited_thread_reply_keeps_its_place() -> None:
    body = message("fixed link", thread_ts="1700000000.000100")
    event = {
        "type": "message",
        "subtype": "message_changed",
        "channel": "C1",
        "message": body,
        "previous_message": {**body, "text": "broken link"},
    }
    edited = await translator().message("T1", "Ev2", event, "UBOT")
    assert isinstance(edited, MessageEdited)
    assert edited.thread == "1700000000.000100"

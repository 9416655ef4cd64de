"""`classify` reads reply_to, thread and mentions as conversation, and says each language."""

from __future__ import annotations

import io

import orjson
import pytest

from groupbot.local.classify import run_classify

BARE = "https://www.example-shop.com"


def classify(*objs: object) -> list[dict[str, object]]:
    out = io.BytesIO()
    status = run_classify(io.BytesIO(b"".join(orjson.dumps(o) + b"\n" for o in objs)), out)
    assert status == 0
    return [orjson.loads(x) for x in out.getvalue().splitlines()]


def test_a_bare_link_alone_is_a_drive_by_but_in_reply_it_is_conversation() -> None:
    out = classify(
        {"id": "a", "text": BARE},
        {"id": "b", "text": BARE, "reply_to": "a"},
        {"id": "c", "text": BARE, "thread": "t1"},
        {"id": "d", "text": BARE, "mentions": ["U1"]},
    )
    assert [o["promotional"] for o in out] == [True, False, False, False]


def test_a_thread_id_equal_to_the_line_id_is_the_thread_start() -> None:
    out = classify({"id": "t1", "text": BARE, "thread": "t1"})
    assert out[0]["promotional"] is True


@pytest.mark.parametrize(
    "extra",
    [
        {"reply_to": None},
        {"reply_to": True},
        {"thread": ["x"]},
        {"mentions": "U1"},
        {"mentions": []},
    ],
)
def test_context_of_the_wrong_type_is_ignored(extra: dict[str, object]) -> None:
    out = classify({"id": "a", "text": BARE, **extra})
    assert out[0]["promotional"] is True and "error" not in out[0]


def test_the_same_text_in_and_out_of_conversation_is_not_mixed_up_by_the_cache() -> None:
    out = classify({"text": BARE, "reply_to": "x"}, {"text": BARE}, {"text": BARE, "reply_to": "x"})
    assert [o["promotional"] for o in out] == [False, True, False]


def test_language_is_an_iso_code_or_null() -> None:
    out = classify(
        {"text": "Hola a todos, me llamo Lucía y trabajo como diseñadora en Sevilla"},
        {"text": "Привет всем, подскажите, какой блок питания взять для 4070?"},
        {"text": "Has anyone tried the new release with the old config file?"},
        {"text": "ok"},
    )
    assert [o["language"] for o in out] == ["es", "ru", "en", None]
    assert all(set(o) >= {"id", "promotional", "introduction", "score", "reasons"} for o in out)

"""`groupbot classify` semantics via run_classify: one verdict per line, errors in place."""

import io
import subprocess
import sys

import orjson
import pytest

from groupbot.core.detect import DetectorConfig
from groupbot.local.classify import run_classify


def classify(lines: list[bytes], config: DetectorConfig | None = None) -> tuple[int, list[dict]]:
    out = io.BytesIO()
    status = run_classify(io.BytesIO(b"".join(lines)), out, config)
    return status, [orjson.loads(x) for x in out.getvalue().splitlines()]


def line(obj: object) -> bytes:
    return orjson.dumps(obj) + b"\n"


def test_contract_example() -> None:
    status, out = classify(
        [
            line({"id": "a", "text": "Hi everyone, I'm Sam, a baker from York. Glad to be here!"}),
            line({"text": "Subscribe to my channel for daily tips: youtube.com/@samtips"}),
            b"this is not json\n",
            line({"id": "d", "text": 42}),
            line({"id": "e", "text": ""}),
        ]
    )
    assert status == 1 and len(out) == 5
    assert out[0]["id"] == "a" and out[0]["introduction"] and not out[0]["promotional"]
    assert out[1]["id"] == 2 and out[1]["promotional"] and out[1]["reasons"]
    assert {r["signal"] for r in out[1]["reasons"]} >= {"engagement_bait"}
    assert out[2]["id"] == 3 and "error" in out[2]
    assert out[3]["id"] == 4 and "text" in out[3]["error"]
    assert out[4] | {"reasons": []} == out[4] and not out[4]["promotional"]
    assert [r["signal"] for r in out[0]["intro_reasons"]] == ["greeting", "self_description"]
    for o in (out[0], out[1], out[4]):
        assert isinstance(o["score"], float) and 0 <= o["score"] <= 1
        for r in o["reasons"] + o["intro_reasons"]:
            assert {"signal", "evidence", "detail", "weight"} <= r.keys() and r["weight"] > 0
        assert isinstance(o["promotional"], bool) and isinstance(o["introduction"], bool)
        for r in o["reasons"]:
            assert {"signal", "evidence", "detail"} <= r.keys()


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"{broken\n", "not valid JSON"),
        (b"[1, 2]\n", "not a JSON object"),
        (b'"text"\n', "not a JSON object"),
        (b'{"id": "x"}\n', "text"),
        (b'{"text": null}\n', "text"),
        (b"\n", "empty"),
        (b" \r\n", "empty"),
        (b"\xff\xfe\n", "not valid JSON"),
        (b'{"text": "x", "n": NaN}\n', "not valid JSON"),
        (b'{"text": "\\ud83d", "n": NaN}\n', "not valid JSON"),
        (b'{"text": "\\ud83d" \n', "not valid JSON"),
        (b'{"text": "\\ud83d", "n": 1e400}\n', "not valid JSON"),
        (b'{"text": "\\ud83d", "a": ' + b"[" * 1100 + b"]" * 1100 + b"}\n", "not valid JSON"),
        (b"\xef\xbb\xbf\xef\xbb\xbf" + b'{"text": "hi"}\n', "not valid JSON"),
        ('{"text": "\u755c"}'.encode("utf-16-le") + b"\n", "not valid JSON"),  # has 5c 75: \\u
        (b'{"text": "\xed\xa0\xbd \\u0041"}\n', "not valid JSON"),
        (b'{"text": "hi", "id": ' + b"[" * 300 + b"]" * 300 + b"}\n", "'id' cannot be written"),
    ],
)
def test_malformed_lines_are_reported_and_processing_goes_on(raw: bytes, error: str) -> None:
    status, out = classify([line({"text": "hello"}), raw, line({"id": 7, "text": "thanks!"})])
    assert status == 1
    assert [o["id"] for o in out] == [1, 2, 7]
    assert error in out[1]["error"] and set(out[1]) == {"id", "error"}


def test_all_good_lines_exit_zero_and_keep_order() -> None:
    texts = ["lol same", "Join our Discord: discord.gg/abc", "thanks!", "lol same"]
    status, out = classify([line({"id": f"m{i}", "text": t}) for i, t in enumerate(texts)])
    assert status == 0
    assert [o["id"] for o in out] == ["m0", "m1", "m2", "m3"]
    assert [o["promotional"] for o in out] == [False, True, False, False]
    assert out[1]["kind"] == "invite"


@pytest.mark.parametrize(
    ("channel", "introduction"),
    [("introductions", True), ("#intros", True), ("say-hello", True), ("general", False)],
)
def test_intro_channels(channel: str, introduction: bool) -> None:
    _, out = classify([line({"text": "Hello everyone! 👋", "channel": channel})])
    assert out[0]["introduction"] is introduction


def test_last_line_without_newline_and_config() -> None:
    cfg = DetectorConfig(allow_invites=frozenset({"ours"}))
    status, out = classify([b'{"text": "come join discord.gg/ours"}'], cfg)
    assert status == 0 and out[0]["promotional"] is False


@pytest.mark.parametrize(
    ("raw", "ident"),
    [
        (b'{"id": ["\\ud83d"], "text": "x \\ud83d"}\n', ["\ufffd"]),
        (b'{"id": {"\\udc00": 1}, "text": "x \\ud83d"}\n', {"\ufffd": 1}),
        (b'{"id": 99999999999999999999999999999, "text": "x \\ud83d"}\n', 1e29),
        (b'{"id": 18446744073709551615, "text": "x \\ud83d"}\n', 2**64 - 1),
        (b'{"id": "\\\\ud83d", "text": "x \\ud83d"}\n', "\\ud83d"),  # an escaped backslash
    ],
)
def test_lines_read_past_orjson_keep_its_rules(raw: bytes, ident: object) -> None:
    # Lone surrogates are mended everywhere, numbers are read as orjson reads them.
    status, out = classify([raw])
    assert status == 0 and out[0]["id"] == ident


def test_a_lone_surrogate_escape_is_read_as_a_replacement_character() -> None:
    # JSON allows "\ud83d" without its pair (a cut-off emoji); orjson alone refuses the line.
    raw = b'{"id": "\\udc00", "text": "Subscribe to my channel \\ud83d youtube.com/@me"}\n'
    status, out = classify([raw, line({"text": "thanks!"})])
    assert status == 0
    assert out[0]["id"] == "\ufffd" and out[0]["promotional"]


def test_a_byte_order_mark_before_the_first_line_is_skipped() -> None:
    status, out = classify([b"\xef\xbb\xbf" + line({"text": "Subscribe to my channel!"})])
    assert status == 0 and out[0]["promotional"]


START_LIGHT = """
import io, sys
sys.argv = ["groupbot", "classify"]
sys.stdin = io.TextIOWrapper(io.BytesIO(b'{"text": "Subscribe to my \\u0441hannel"}\\n'))
from groupbot import entry
try:
    entry.main()
except SystemExit as done:
    assert done.code == 0, done.code
heavy = ("groupbot.cli", "typer", "pydantic", "urllib.request")
sys.stderr.write(repr(sorted(m for m in sys.modules if m.startswith(heavy))))
"""


def test_classify_starts_without_the_cli_or_urllib() -> None:
    done = subprocess.run(
        [sys.executable, "-c", START_LIGHT], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert orjson.loads(done.stdout)["promotional"] is True
    assert done.stderr == "[]"

"""The HTTP edge under hostile input: refusals are 4xx, quiet, counted; slow clients dropped."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import ClientSession
from prometheus_client import REGISTRY
from slackfake import BOT_TOKEN, SECRET, FakeSlack
from slackharness import Harness

from groupbot.adapters.slack.app import EVENTS_PATH, serve_http
from groupbot.core.rulebook import Rulebook

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])

BAD_STAMP = {"X-Slack-Request-Timestamp": "12a", "X-Slack-Signature": "v0=" + "0" * 64}


def sign_bytes(body: bytes, at: int | None = None) -> dict[str, str]:
    """v0 signature headers over raw bytes (whatever their encoding)."""
    stamp = str(int(time.time()) if at is None else at)
    digest = hmac.new(SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + digest.hexdigest()}


def refused(reason: str) -> float:
    return (
        REGISTRY.get_sample_value("groupbot_http_requests_refused_total", {"reason": reason}) or 0.0
    )


class Records(logging.Handler):
    """Every log record, kept with its formatted size."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.bytes = 0
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.bytes += len(self.format(record)) + 1

    def loud(self) -> list[logging.LogRecord]:
        return [r for r in self.records if r.exc_info or r.levelno >= logging.ERROR]


@pytest.fixture
def records() -> Iterator[Records]:
    handler = Records()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def post(h: Harness, body: bytes, headers: dict[str, str]) -> int:
    async with h.http.post(h.base + EVENTS_PATH, data=body, headers=headers) as response:
        await response.read()
        return response.status


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b"\xff\xfe{}", {"Content-Type": "application/json"}, 401),  # unsigned, not UTF-8
        (b"\xff\xfe{}", "signed", 400),  # signed by Slack's secret, still not UTF-8
        (b"{}", BAD_STAMP, 401),  # a timestamp that is not an integer
        (b"{}", {"X-Slack-Request-Timestamp": str(int(time.time()))}, 401),  # no signature
        (b"{}", {"X-Slack-Request-Timestamp": "1" * 40, "X-Slack-Signature": "v0=1"}, 401),
        (b"{}", {"X-Slack-Request-Timestamp": "-5", "X-Slack-Signature": "v0=zz"}, 401),
        (b"{}", {"X-Slack-Request-Timestamp": "\u0661\u0662", "X-Slack-Signature": "x"}, 401),
        (b"{}", {"X-Slack-Signature": "v0=" + "0" * 64}, 401),  # no timestamp
    ],
)
async def test_bad_requests_are_4xx_never_5xx(
    app: Harness, records: Records, body: bytes, headers: dict[str, str] | str, status: int
) -> None:
    sent = sign_bytes(body) if headers == "signed" else headers
    assert isinstance(sent, dict)
    assert await post(app, body, sent) == status
    assert app.fake.calls == []
    assert records.loud() == []


async def test_huge_headers_are_refused_without_a_trace(app: Harness, records: Records) -> None:
    body = b"{}"
    for headers in (
        sign_bytes(body) | {"X-Slack-Signature": "v0=" + "a" * 20_000},
        sign_bytes(body) | {f"X-Pad-{i}": "p" for i in range(300)},
    ):
        status = await post(app, body, headers)
        assert 400 <= status < 500
    assert records.loud() == []


async def test_two_thousand_bad_requests_cost_one_log_line_and_are_counted(
    app: Harness, records: Records
) -> None:
    before = {why: refused(why) for why in ("unsigned", "bad_timestamp")}
    for i in range(1000):
        assert await post(app, b"\xff" * 8, {"X-Slack-Request-Timestamp": f"t{i}"}) == 401
        assert await post(app, b"{}", BAD_STAMP) == 401
    assert refused("unsigned") - before["unsigned"] == 1000
    assert refused("bad_timestamp") - before["bad_timestamp"] == 1000
    lines = [r for r in records.records if r.name.startswith("groupbot")]
    assert len(lines) == 1 and records.loud() == []
    assert records.bytes < 500


async def test_a_signed_request_still_goes_through(app: Harness) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "ch-1"}).encode()
    headers = sign_bytes(body) | {"Content-Type": "application/json"}
    assert await post(app, body, headers) == 200


async def _answer(port: int, data: bytes) -> bytes:
    """The first line the server answers with, or b"" if it hangs up."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        async with asyncio.timeout(10):  # the server must cut us off long before this
            return await reader.readline()
    finally:
        writer.close()


async def test_slow_headers_are_cut_off(app: Harness) -> None:
    async with serve_http(app.service, "127.0.0.1", 0, header_seconds=0.2) as port:
        started = time.monotonic()
        answer = await _answer(port, b"POST /slack/events HTTP/1.1\r\nHost: x\r\nX-Slack")
        assert answer == b"" or answer.startswith(b"HTTP/1.1 4")
        assert time.monotonic() - started < 5


async def test_a_slow_body_gets_408(app: Harness) -> None:
    async with serve_http(app.service, "127.0.0.1", 0, body_seconds=0.2) as port:
        head = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
        answer = await _answer(port, head + b"{" * 10)
        assert answer.startswith(b"HTTP/1.1 408")


async def test_run_is_ready_once_it_serves_slack(
    fake: FakeSlack, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiohttp import web

    from groupbot.adapters.slack import run as slack_run
    from groupbot.service.settings import Settings

    served: list[tuple[web.AppRunner, str]] = []
    real = slack_run.start_metrics_server

    async def on_port_zero(db: Any, host: str, port: int, up: Any) -> web.AppRunner:
        runner = await real(db, host, 0, up)
        served.append((runner, host))
        return runner

    monkeypatch.setattr(slack_run, "start_metrics_server", on_port_zero)
    settings = Settings(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=fake.url,
        groupbot_database_url=database_url,
    )
    run = asyncio.create_task(
        slack_run.run_slack(
            settings, Rulebook(), mode="http", host="127.0.0.1", port=0, metrics_port=9
        )
    )
    try:
        await fake.wait_for(lambda: served, what="the metrics server")
        runner, host = served[0]
        assert host == "127.0.0.1"  # loopback unless --metrics-host says otherwise
        base = f"http://127.0.0.1:{runner.addresses[0][1]}"
        async with ClientSession() as http:

            async def ready() -> bool:
                async with http.get(base + "/readyz") as response:
                    return response.status == 200

            async with asyncio.timeout(10):
                while not await ready():  # each probe is a round trip: the run gets its turn
                    pass
    finally:
        run.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await run

"""Property test of /slack/events: whatever the headers and bytes, signed or not, no 5xx."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from slackfake import BOT_ID, BOT_TOKEN, BOT_USER, TEAM, FakeSlack, user
from slackharness import NEWBIE, running
from test_slack_edge import Records, records, sign_bytes

__all__ = ["records"]


class Served:
    """The real app on its own loop in a thread, so a synchronous property test can hit it."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.port = 0
        self.ready = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stopping: asyncio.Event | None = None
        self.thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self) -> None:
        fake = FakeSlack()
        fake.add_bot(BOT_TOKEN, TEAM, BOT_USER, BOT_ID)
        fake.users[NEWBIE] = user(NEWBIE, "Nora")
        await fake.start()
        try:
            async with running(fake, self.url) as h:
                self.port = int(h.base.rsplit(":", 1)[1])
                self.loop = asyncio.get_running_loop()
                self.stopping = asyncio.Event()
                self.ready.set()
                await self.stopping.wait()
        finally:
            await fake.stop()

    def __enter__(self) -> Served:
        self.thread.start()
        assert self.ready.wait(30), "the app did not start"
        return self

    def __exit__(self, *_: object) -> None:
        assert self.loop is not None and self.stopping is not None
        self.loop.call_soon_threadsafe(self.stopping.set)
        self.thread.join(30)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    path: Path = tmp_path_factory.mktemp("edge") / "edge.db"
    with Served(f"sqlite:///{path}") as app:
        yield app


def exchange(port: int, head: bytes, body: bytes) -> int:
    """Send raw bytes; the status the server answers with."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(head + body)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1])


NAMES = st.sampled_from(
    [
        "X-Slack-Request-Timestamp",
        "X-Slack-Signature",
        "Content-Type",
        "X-Slack-Retry-Num",
        "X-Slack-Retry-Reason",
        "Content-Encoding",
        "X-Other",
    ]
)
VALUES = st.binary(max_size=80).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")) | (
    st.sampled_from([b"application/json", b"application/x-www-form-urlencoded", b"gzip", b"v0="])
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
ENVELOPE = st.fixed_dictionaries(
    {"type": st.sampled_from(["event_callback", "url_verification", "block_actions", "x"])},
    optional={
        "team_id": st.just(TEAM) | st.text(max_size=5),
        "event_id": st.text(max_size=10),
        "event": JSON,
        "challenge": JSON,
        "user": JSON,
        "payload": JSON,
    },
).map(lambda d: json.dumps(d).encode())
FORM = st.dictionaries(st.sampled_from(["payload", "command", "ssl_check", "team_id"]), JSON).map(
    lambda d: "&".join(f"{k}={json.dumps(v)}" for k, v in d.items()).encode()
)
BODIES = st.binary(max_size=300) | ENVELOPE | FORM


@hsettings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    headers=st.lists(st.tuples(NAMES, VALUES), max_size=6),
    body=BODIES,
    signed=st.booleans(),
    content_type=st.sampled_from(
        [None, b"application/json", b"application/x-www-form-urlencoded", b"text/plain"]
    ),
)
def test_no_request_gets_a_5xx_or_a_traceback(
    served: Served,
    records: Records,
    headers: list[tuple[str, bytes]],
    body: bytes,
    signed: bool,
    content_type: bytes | None,
) -> None:
    lines = [f"{name}: ".encode() + value for name, value in headers]
    if content_type is not None:
        lines.append(b"Content-Type: " + content_type)
    if signed:
        lines += [f"{k}: {v}".encode() for k, v in sign_bytes(body).items()]
    head = b"\r\n".join(
        [
            b"POST /slack/events HTTP/1.1",
            b"Host: 127.0.0.1",
            b"Connection: close",
            b"Content-Length: " + str(len(body)).encode(),
            *lines,
            b"",
            b"",
        ]
    )
    status = exchange(served.port, head, body)
    assert status < 500, (status, head, body)
    assert records.loud() == [], [r.getMessage() for r in records.loud()]

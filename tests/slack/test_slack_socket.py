"""`groupbot run slack --socket` over loopback: the real Socket Mode client against fakes.

The app runs as the CLI runs it (`run_slack(Settings(), ..., mode="socket")`, settings from
the environment), its Web API calls go to the strict fake (SLACK_API_URL), and
`apps.connections.open` hands out URLs of the Socket Mode fake in socketfake.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from slackfake import BOT_TOKEN, TEAM, FakeSlack, block_action, message_event, user, view_submission
from slackharness import GENERAL, MEMBER, NEWBIE, OWNER, PITCH
from socketfake import APP_TOKEN, SocketModeFake

from groupbot.adapters.slack.run import run_slack
from groupbot.core.rulebook import Rulebook
from groupbot.service.runtime import open_database
from groupbot.service.settings import Settings
from tests.replaykit import seen_before

PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")
STOP_LIMIT = 5.0  # seconds a stop may take before the test calls it a hang


def join(fake: FakeSlack, uid: str) -> dict[str, Any]:
    """A team_join event for a user the fake knows."""
    return {"type": "team_join", "user": fake.users[uid]}


def sdk_tasks() -> list[str]:
    """Unfinished tasks of the Socket Mode client (its receiver, monitor, queue processor)."""
    names = (getattr(t.get_coro(), "__qualname__", "") for t in asyncio.all_tasks() if not t.done())
    return [n for n in names if "SocketModeClient." in n]


@pytest.fixture
async def socket() -> AsyncIterator[SocketModeFake]:
    """The Socket Mode endpoint; nothing unexpected may reach it."""
    endpoint = SocketModeFake()
    await endpoint.start()
    try:
        yield endpoint
    finally:
        await endpoint.stop()
    assert not endpoint.failures, f"unexpected Socket Mode traffic: {endpoint.failures}"


@pytest.fixture
def environment(fake: FakeSlack, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment `groupbot run slack --socket` reads, pointed at the fakes."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    for name in PROXY_VARIABLES:  # the SDK would send the loopback WebSocket through a proxy
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    monkeypatch.setenv("SLACK_API_URL", fake.url)
    monkeypatch.setenv("GROUPBOT_DATABASE_URL", database_url)


def start() -> asyncio.Task[None]:
    """run_slack in Socket Mode, as `groupbot run slack --socket` calls it."""
    run = run_slack(
        Settings(), Rulebook(), mode="socket", host="127.0.0.1", port=0, metrics_port=None
    )
    return asyncio.create_task(run, name="groupbot-run-slack-socket")


async def finish(task: asyncio.Task[None], limit: float = STOP_LIMIT) -> float:
    """Wait (bounded) for the run to end; return the seconds it took."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(limit):
            await asyncio.wait({task})
    except TimeoutError:
        raise AssertionError(f"the run did not end within {limit} s") from None
    return time.perf_counter() - started


async def cancel(task: asyncio.Task[None]) -> None:
    """Cancel the run (as Ctrl-C in asyncio.run does) and wait, bounded, for it to end."""
    task.cancel()
    await finish(task)
    if not task.cancelled():
        task.result()  # an error while stopping fails the test


async def released(fake: FakeSlack) -> None:
    """The Socket Mode client's tasks are gone once the run has ended."""
    with contextlib.suppress(AssertionError):
        await fake.wait_for(lambda: not sdk_tasks(), limit=2.0, what="the SDK's tasks to end")
    assert not sdk_tasks(), f"Socket Mode tasks left running: {sdk_tasks()}"


@pytest.fixture
async def app(
    fake: FakeSlack, socket: SocketModeFake, environment: None, database_url: str
) -> AsyncIterator[SocketModeFake]:
    """The app connected over Socket Mode; cancelled (and checked to stop cleanly) afterwards."""
    async with open_database(database_url) as db:
        await seen_before(db, TEAM)  # a workspace groupbot served before: no first run
    socket.offer(fake)
    task = start()
    try:
        await socket.connected(1, limit=10.0)  # migrating PostgreSQL comes first
    except BaseException:
        await cancel(task)
        raise
    yield socket
    await cancel(task)
    await socket.until(lambda: all(ws.closed for ws in socket.sockets), what="sockets closed")
    await released(fake)


# -- events, commands, interactions -----------------------------------------------------------


async def test_event_is_acked_by_envelope_and_welcomes(
    fake: FakeSlack, app: SocketModeFake
) -> None:
    assert [c.token for c in fake.of("apps.connections.open")] == [APP_TOKEN]
    envelope = await app.event(join(fake, NEWBIE))
    ack = await app.ack(envelope)
    assert ack.payload is None and ack.connection == 1
    welcome = await fake.wait_for(lambda: fake.dms(NEWBIE), limit=5.0, what="welcome DM")
    assert "Nora" in welcome[0].params["text"]
    assert "introductions" in welcome[0].params["text"]
    assert fake.of("conversations.open", users=NEWBIE)
    others = [c for c in fake.calls if c.method != "apps.connections.open"]
    assert {c.token for c in others} == {BOT_TOKEN}  # the app token only opens connections


async def test_commands_and_interactions_are_acked_and_answered(
    fake: FakeSlack, app: SocketModeFake
) -> None:
    helped = await app.ack(await app.command("/groupbot", "help", MEMBER))
    assert helped.payload is not None
    assert "/groupbot approve" in helped.payload["text"] and "/share" in helped.payload["text"]

    unknown = await app.ack(await app.command("/groupbot", "frobnicate", MEMBER))
    assert unknown.payload is None  # answered later, by the engine, through the Web API
    answer = await fake.wait_for(
        lambda: fake.of("chat.postEphemeral", user=MEMBER), limit=5.0, what="usage"
    )
    assert "Try:" in answer[0].params["text"]

    trigger = app.trigger()
    click = block_action(MEMBER, "groupbot_share_open", "share", None, trigger=trigger)
    assert (await app.ack(await app.interactive(click))).payload is None
    opened = await fake.wait_for(
        lambda: fake.of("views.open", trigger_id=trigger), limit=5.0, what="share modal"
    )
    assert opened[0].params["view"]["callback_id"] == "groupbot_share_view"

    submit = view_submission(
        OWNER, "groupbot_deny_view", {"reason": {"reason_input": {}}}, "1|", trigger=app.trigger()
    )
    refused = await app.ack(await app.interactive(submit))
    assert refused.payload is not None and refused.payload["response_action"] == "errors"
    assert "reason" in refused.payload["errors"]  # the modal's answer travels in the ack


async def test_redelivered_event_is_handled_once(fake: FakeSlack, app: SocketModeFake) -> None:
    first = await app.event(join(fake, NEWBIE), event_id="EvJOIN0001")
    again = await app.event(
        join(fake, NEWBIE), event_id="EvJOIN0001", retry_attempt=1, retry_reason="timeout"
    )
    assert first != again
    await app.ack(first)
    await app.ack(again)  # each delivery is acked by its own envelope_id
    await fake.wait_for(lambda: fake.dms(NEWBIE), limit=5.0, what="welcome DM")

    pitch = message_event(NEWBIE, GENERAL, PITCH, f"{time.time():.0f}.000100")
    await app.ack(await app.event(pitch, event_id="EvPITCH001"))
    await fake.wait_for(lambda: fake.dms(OWNER), limit=5.0, what="owner notification")
    await app.ack(
        await app.event(pitch, event_id="EvPITCH001", retry_attempt=1, retry_reason="timeout")
    )

    fake.users["UOTHER001"] = user("UOTHER001", "Otto")  # a later event marks the end
    await app.ack(await app.event(join(fake, "UOTHER001")))
    await fake.wait_for(lambda: fake.dms("UOTHER001"), limit=5.0, what="marker welcome")
    texts = [c.params["text"] for c in fake.dms(NEWBIE)]
    assert len([t for t in texts if "welcome to Fake" in t]) == 1, texts
    assert len([t for t in texts if "You posted:" in t and "brightpixel" in t]) == 1, texts
    assert len([t for t in texts if "delete your post" in t]) == 1, texts
    assert len(texts) == 3, texts
    assert len(fake.dms(OWNER)) == 1


# -- the connection ----------------------------------------------------------------------------


async def test_reconnects_when_the_socket_closes_and_keeps_handling(
    fake: FakeSlack, app: SocketModeFake
) -> None:
    app.offer(fake)
    assert await app.drop() == 1
    await app.connected(2)
    assert [c.token for c in fake.of("apps.connections.open")] == [APP_TOKEN, APP_TOKEN]
    envelope = await app.event(join(fake, NEWBIE))
    assert (await app.ack(envelope)).connection == 2
    await fake.wait_for(lambda: fake.dms(NEWBIE), limit=5.0, what="welcome after reconnect")

    app.offer(fake)  # Slack's own refresh: a `disconnect` message, the client moves over
    assert await app.refresh() == 2
    await app.connected(3)
    await app.until(lambda: app.sockets[1].closed, what="the refreshed socket closed")
    fake.users["UOTHER001"] = user("UOTHER001", "Otto")
    envelope = await app.event(join(fake, "UOTHER001"))
    assert (await app.ack(envelope)).connection == 3
    await fake.wait_for(lambda: fake.dms("UOTHER001"), limit=5.0, what="welcome after refresh")
    assert len(fake.of("apps.connections.open")) == 3
    assert len(fake.dms(NEWBIE)) == 1


async def test_sigterm_stops_the_run_cleanly(
    fake: FakeSlack, socket: SocketModeFake, environment: None
) -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("asyncio installs signal handlers only in the main thread")
    before = signal.getsignal(signal.SIGTERM)
    socket.offer(fake)
    task = start()
    try:
        await socket.connected(1, limit=10.0)
        assert signal.getsignal(signal.SIGTERM) is not before  # the run installed its handler
    except BaseException:
        await cancel(task)
        raise
    os.kill(os.getpid(), signal.SIGTERM)
    assert await finish(task) < STOP_LIMIT
    assert task.result() is None  # returned, not cancelled
    await socket.until(lambda: socket.sockets[0].closed, what="the client closed its socket")
    await released(fake)


# -- refusals --------------------------------------------------------------------------------


async def test_refused_app_token_fails_the_run(
    fake: FakeSlack, socket: SocketModeFake, environment: None
) -> None:
    socket.refuse(fake, "invalid_auth")
    task = start()
    await finish(task, limit=10.0)
    error = task.exception()
    assert isinstance(error, ValueError), repr(error)
    assert "SLACK_APP_TOKEN" in str(error) and "invalid_auth" in str(error)
    assert [c.token for c in fake.of("apps.connections.open")] == [APP_TOKEN]  # asked once
    assert not socket.sockets
    await released(fake)


@pytest.mark.parametrize(
    ("status", "error"), [(500, "internal_error"), (200, "service_unavailable")]
)
async def test_cancel_while_slack_is_unavailable_stops_promptly(
    fake: FakeSlack,
    socket: SocketModeFake,
    environment: None,
    caplog: pytest.LogCaptureFixture,
    status: int,
    error: str,
) -> None:
    for _ in range(2):  # Slack's trouble, not the token's (even as ok=false): keep trying
        fake.script("apps.connections.open", status, {"ok": False, "error": error})
    task = start()

    def retrying() -> bool:
        return any("Failed to connect" in r.getMessage() for r in caplog.records)

    await fake.wait_for(retrying, limit=10.0, what="the client waiting to retry")
    assert not task.done()
    await cancel(task)
    assert not socket.sockets
    await released(fake)  # cancelled mid-connect: the SDK's tasks and session are closed too

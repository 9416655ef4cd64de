"""The HTTP edge: signatures, Slack's handshake requests, malformed bodies, health."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from aiohttp import ClientSession
from slackfake import FakeSlack, Sender, sign
from slackharness import GENERAL, MEMBER, NEWBIE, OWNER, Harness, running
from sqlalchemy import select

from groupbot.service.runtime import open_database
from groupbot.storage.models import ProcessedEvent

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])

JOIN = {"type": "event_callback", "team_id": "T0TEAM1", "event_id": "EvSIG", "event": {}}


async def test_bad_signature_is_refused_and_changes_nothing(app: Harness) -> None:
    body = json.dumps(JOIN | {"event": {"type": "team_join", "user": app.fake.users[NEWBIE]}})
    status, _ = await app.send.raw(body, "application/json", sign(body, secret="wrong"))
    assert status == 401
    status, _ = await app.send.raw(body, "application/json", {})
    assert status == 401
    forged = sign(body) | {"X-Slack-Signature": "v0=" + "0" * 64}
    status, _ = await app.send.raw(body, "application/json", forged)
    assert status == 401
    assert app.fake.calls == []


async def test_stale_signature_is_refused(app: Harness) -> None:
    body = json.dumps(JOIN | {"event": {"type": "team_join", "user": app.fake.users[NEWBIE]}})
    status, _ = await app.send.raw(body, "application/json", sign(body, at=int(time.time()) - 600))
    assert status == 401
    assert app.fake.calls == []


async def test_url_verification_and_ssl_check(app: Harness) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "t"})
    status, text = await app.send.raw(body, "application/json")
    assert status == 200 and "c-123" in text
    status, _ = await app.send.raw("ssl_check=1&token=t", "application/x-www-form-urlencoded")
    assert status == 200


async def test_malformed_bodies_are_refused_without_crashing(app: Harness) -> None:
    status, _ = await app.send.raw("{not json", "application/json")
    assert 400 <= status < 500
    status, _ = await app.send.raw("payload=%7Bbroken", "application/x-www-form-urlencoded")
    assert 400 <= status < 500
    event = {"type": "message", "channel": GENERAL, "user": 42, "text": None, "ts": "x"}
    status, _ = await app.send.event(event)
    assert status == 400  # refused and logged: Bolt cannot even read who sent it
    event = {"type": "message", "channel": GENERAL, "user": NEWBIE, "text": None, "ts": "x"}
    status, _ = await app.send.event(event)
    assert status == 200  # acknowledged, then ignored: nothing a member said
    status, _ = await app.send.event({"type": "team_join", "user": "not-an-object"})
    assert status == 200
    huge = {"type": "message", "channel": GENERAL, "user": NEWBIE, "ts": "1.1", "text": "x"}
    body = json.dumps(JOIN | {"event": huge | {"text": "y" * 2_000_000}})
    status, _ = await app.send.raw(body, "application/json")
    assert status == 413


async def test_ack_is_immediate_even_before_the_engine_runs(app: Harness) -> None:
    started = time.perf_counter()
    status, _ = await app.send.event({"type": "team_join", "user": app.fake.users[NEWBIE]})
    assert status == 200
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("kind", ["event", "command"])
async def test_shutdown_waits_for_work_still_on_its_way(
    fake: FakeSlack, database_url: str, kind: str
) -> None:
    arrived, release = fake.hold("users.info")  # the author's lookup, before the engine
    harness = running(fake, database_url)
    app = await harness.__aenter__()
    own = ClientSession()  # Slack's side of the connection outlives our shutdown
    send = Sender(own, app.base + "/slack/events")
    if kind == "event":
        message = {"type": "message", "channel": GENERAL, "user": MEMBER, "text": "Morning all!"}
        message |= {"ts": "1700000000.000100", "channel_type": "channel"}
        sending = asyncio.create_task(send.event(message, event_id="EvSHUTDOWN1"))
    else:
        sending = asyncio.create_task(send.command("/groupbot", "queue", OWNER))
    await arrived.wait()
    in_flight = app.service.in_flight
    closing = asyncio.create_task(harness.__aexit__(None, None, None))
    try:
        for _ in range(100):  # let the shutdown run as far as it can while the work is held
            await asyncio.sleep(0)
        assert in_flight.running == 1 and not closing.done() and not sending.done()
    finally:
        release.set()
    async with asyncio.timeout(20):
        status, _ = await sending
        await closing
    await own.close()
    assert status == 200  # Slack is told we have it once it is stored
    async with open_database(database_url) as db, db.connect() as conn:
        stored = list(await conn.scalars(select(ProcessedEvent.event_id)))
    assert (
        ("EvSHUTDOWN1" in stored) if kind == "event" else any(e.startswith("cmd:") for e in stored)
    )

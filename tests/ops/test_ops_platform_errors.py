"""Two replicas through a stretch of Slack 429s (Retry-After) and 500s: each message once;
a message refused for good is given up, its owners told, and sent by `groupbot outbox retry`."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest
from aiohttp import web
from loadkit import envelope
from opskit import (
    NOTE_MARK,
    ROOT,
    WELCOME_MARK,
    Replica,
    Stream,
    fake_workspace,
    replica_env,
    until,
)
from slackfake import BOT_ID, BOT_TOKEN, BOT_USER, TEAM, Call, FakeSlack, sign, user

pytestmark = pytest.mark.ops

EVENTS = 60  # 20 joins, up to 20 promotional first posts, the rest chat
RATE = 40.0
RETRY_AFTER = 1  # seconds, as Slack's header says it
FAILURE = re.compile(r'^groupbot_outbox_failures_total\{[^}]*reason="(\w+)"[^}]*\} (\S+)$', re.M)


@dataclass
class FlakySlack(FakeSlack):
    """The fake Web API whose chat.postMessage fails while `faulty`: two 429s, then a 500."""

    faulty: bool = True
    down: set[str] = field(default_factory=set)  # channels answered 500 whatever `faulty` says
    refused: list[tuple[Call, int]] = field(default_factory=list)

    def _chat_postMessage(self, p: dict[str, Any], who: dict[str, Any]) -> web.Response:
        call = self.calls[-1]  # appended just before this handler, with no await between
        if str(p.get("channel")) in self.down:
            self.refused.append((call, 500))
            return web.json_response({"ok": False, "error": "internal_error"}, status=500)
        if not self.faulty:
            return super()._chat_postMessage(p, who)
        if len(self.refused) % 3 == 2:
            self.refused.append((call, 500))
            return web.json_response({"ok": False, "error": "internal_error"}, status=500)
        self.refused.append((call, 429))
        return web.json_response(
            {"ok": False, "error": "ratelimited"},
            status=429,
            headers={"Retry-After": str(RETRY_AFTER)},
        )

    def answered(self) -> list[Call]:
        """The chat.postMessage calls that posted a message."""
        refused = {id(call) for call, _ in self.refused}
        return [c for c in self.of("chat.postMessage") if id(c) not in refused]


def counted(calls: list[Call]) -> tuple[dict[str, int], dict[str, int]]:
    """Welcomes and notes posted, per member (their DM channel is D + the id's tail)."""
    welcomes: dict[str, int] = {}
    notes: dict[str, int] = {}
    for call in calls:
        channel, text = str(call.params.get("channel")), str(call.params.get("text"))
        if not channel.startswith("D"):
            continue
        into = notes if NOTE_MARK in text else welcomes if WELCOME_MARK in text else None
        if into is not None:
            into["U" + channel[1:]] = into.get("U" + channel[1:], 0) + 1
    return welcomes, notes


async def outbox_failures(
    session: aiohttp.ClientSession, replicas: list[Replica]
) -> dict[str, float]:
    """groupbot_outbox_failures_total by reason, summed over the replicas' /metrics."""
    total: dict[str, float] = {}
    for replica in replicas:
        async with session.get(f"http://127.0.0.1:{replica.metrics}/metrics") as response:
            text = await response.text()
        for reason, value in FAILURE.findall(text):
            total[reason] = total.get(reason, 0.0) + float(value)
    return total


async def outbox_rows(database: str) -> dict[str, int]:
    """Outbox rows by status."""
    conn = await asyncpg.connect(database.replace("+asyncpg", ""), timeout=10)
    try:
        found = await conn.fetch("SELECT status, count(*) AS n FROM outbox GROUP BY status")
    finally:
        await conn.close()
    return {row["status"]: int(row["n"]) for row in found}


@pytest.fixture
async def flaky() -> Any:
    """The flaky fake, set up as opskit's workspace; no call it did not expect."""
    slack = FlakySlack()
    plain = fake_workspace()
    slack.tokens, slack.users, slack.channels = plain.tokens, plain.users, plain.channels
    assert slack.tokens[BOT_TOKEN] == {"team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID}
    await slack.start()
    try:
        yield slack
    finally:
        await slack.stop()
    assert not slack.failures, f"unexpected Web API calls: {slack.failures[:5]}"


@pytest.fixture
async def fake(flaky: FlakySlack) -> FakeSlack:
    """The database fixture migrates with the flaky fake's URL."""
    return flaky


async def test_429s_and_500s_are_retried_with_backoff_and_every_message_sent_once(
    flaky: FlakySlack, database: str, rules: Path, session: aiohttp.ClientSession
) -> None:
    env = replica_env(database, flaky.url) | {
        "GROUPBOT_OUTBOX_BACKOFF_SECONDS": "0.2",  # short, so the test is; jitter as in production
        "GROUPBOT_OUTBOX_ATTEMPTS": "30",
    }
    replicas = [Replica(env, rules), Replica(env, rules)]
    try:
        for replica in replicas:
            await replica.start(session)
        stream = Stream(flaky, replicas, session)

        async def nothing(i: int) -> None:
            return None

        await stream.run(EVENTS, RATE, nothing)
        await stream.settle(30)

        async def both_seen() -> bool:  # the outbox itself saw a 429 and a 500, on some replica
            seen = await outbox_failures(session, replicas)
            return seen.get("rate_limited", 0) >= 3 and seen.get("retry", 0) >= 3

        await until(both_seen, 30, "the outbox to meet 429s and 500s")
        flaky.faulty = False  # the platform recovers

        owed_w = {s.member for s in stream.sent.values() if s.kind == "join"}
        owed_n = {s.member for s in stream.sent.values() if s.kind == "promo"}

        async def delivered() -> bool:
            welcomes, notes = counted(flaky.answered())
            return (
                owed_w <= welcomes.keys()
                and owed_n <= notes.keys()
                and not await outbox_rows(database)
            )

        try:
            await until(delivered, 40, "every owed message delivered after the recovery")
        except AssertionError:
            print(await outbox_rows(database), [r.output() for r in replicas])
            raise
        failures = await outbox_failures(session, replicas)
    finally:
        for replica in replicas:
            await replica.close()
    welcomes, notes = counted(flaky.answered())
    assert len(owed_w) == EVENTS // 3 and len(owed_n) >= 5, (len(owed_w), len(owed_n))
    assert set(welcomes) == owed_w and set(notes) == owed_n  # none lost
    assert set(welcomes.values()) == {1} and set(notes.values()) == {1}, (welcomes, notes)
    assert failures.get("given_up", 0) == 0 and failures.get("final", 0) == 0, failures
    statuses = [status for _, status in flaky.refused]
    assert statuses.count(429) >= 2 and statuses.count(500) >= 1, statuses
    # A 429's message is not tried again before its Retry-After has passed, by any replica.
    posts = flaky.of("chat.postMessage")
    for call, status in flaky.refused:
        if status != 429:
            continue
        same = (call.params.get("channel"), call.params.get("text"))
        later = [
            c
            for c in posts
            if c.at > call.at and (c.params.get("channel"), c.params.get("text")) == same
        ]
        assert later, "a rate-limited message was never tried again"
        assert later[0].at - call.at >= RETRY_AFTER - 0.05, (later[0].at - call.at, same)


async def groupbot(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """The command line as an operator runs it, against the replicas' database."""
    command = (sys.executable, "-c", "from groupbot.cli import main; main()", *args)
    proc = await asyncio.create_subprocess_exec(
        *command, env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out.decode(), err.decode()


async def test_a_message_refused_for_good_is_given_up_told_to_owners_and_retried(
    flaky: FlakySlack, database: str, rules: Path, session: aiohttp.ClientSession
) -> None:
    flaky.faulty = False
    flaky.users["UOWNER001"] = user("UOWNER001", "Olga", is_owner=True)
    flaky.users["UNEW00001"] = user("UNEW00001", "Nina")
    newcomer, owner = flaky.dm_channel("UNEW00001"), flaky.dm_channel("UOWNER001")
    flaky.down.add(newcomer)  # this member's DMs fail with 500, every time
    env = replica_env(database, flaky.url) | {
        "GROUPBOT_OUTBOX_BACKOFF_SECONDS": "0.1",
        "GROUPBOT_OUTBOX_ATTEMPTS": "3",
    }
    replicas = [Replica(env, rules), Replica(env, rules)]
    try:
        for replica in replicas:
            await replica.start(session)
        body = envelope(TEAM, "EvJOIN0001", {"type": "team_join", "user": flaky.users["UNEW00001"]})
        headers = {"Content-Type": "application/json", **sign(body)}
        async with session.post(replicas[0].url, data=body.encode(), headers=headers) as answer:
            assert answer.status == 200

        def told() -> list[Call]:
            return flaky.of("chat.postMessage", channel=owner)

        async def owners_told() -> bool:
            return bool(told())

        await until(owners_told, 30, "the owners to be told")
        code, out, err = await groupbot(env, "outbox", "list", "--failed", "--json")
        assert code == 0, err
        [row] = [json.loads(line) for line in out.splitlines()]
        assert (row["community"], row["action"], row["attempts"]) == (TEAM, "welcome", 3)
        assert row["last_error"] == "slack: internal_error"
        [notice] = told()
        text = str(notice.params["text"])
        assert f"(welcome, #{row['id']}) after 3 tries" in text
        assert f"groupbot outbox list --failed -c {TEAM}" in text
        assert "Nina" not in text  # it names the row, not the message

        code, _, err = await groupbot(env, "outbox", "retry", "999999")
        assert (code, err) == (1, "groupbot: no outbox row 999999; nothing was changed\n")
        flaky.down.clear()  # the platform takes this member's DMs again
        code, out, err = await groupbot(env, "outbox", "retry", str(row["id"]))
        assert (code, out) == (0, "1 failed row back to pending\n"), err

        async def welcomed() -> bool:
            sent = [c for c in flaky.answered() if c.params.get("channel") == newcomer]
            return bool(sent) and not await outbox_rows(database)

        await until(welcomed, 30, "the retried welcome to be sent")
        assert all(replica.alive() for replica in replicas)
    finally:
        for replica in replicas:
            await replica.close()
    sent = [c for c in flaky.answered() if c.params.get("channel") == newcomer]
    assert len(sent) == 1 and WELCOME_MARK in str(sent[0].params["text"])
    assert len(told()) == 1

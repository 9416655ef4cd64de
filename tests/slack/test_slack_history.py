"""The history read on Slack, at install and when the bot joins a channel: the real app
against the fake Web API."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from slackfake import BOT_USER, TEAM, FakeSlack, Sender, message_event, user
from slackharness import (
    GENERAL,
    INTROS,
    MEMBER,
    MODS,
    NEWBIE,
    PITCH,
    PROMOS,
    RANDOM,
    Harness,
    install,
    offer_install,
    running,
)
from sqlalchemy import func, select, update

from groupbot.core.rulebook import parse_rulebook
from groupbot.storage.models import AuditEntry, HistoryWarmup, Member, Post

TEAM2 = "T0TEAM222"
TOKEN2 = "xoxb-team-2"
CHAT = "the deploy on day {n} went fine, thanks for the help"


def past(uid: str, days_ago: float, text: str, **extra: Any) -> dict[str, Any]:
    """A message as conversations.history returns it, `days_ago` days back."""
    return {
        "type": "message",
        "user": uid,
        "text": text,
        "ts": f"{time.time() - days_ago * 86400:.6f}",
        **extra,
    }


def history(fake: FakeSlack) -> None:
    """Marco chatted in #general for two weeks; a bot, a join and an old post are not posts."""
    fake.history[GENERAL] = [past(MEMBER, 20 - n, CHAT.format(n=n)) for n in range(12)]
    fake.history[GENERAL] += [
        past("UOTHERBOT", 3, "build passed", bot_id="BOTHER", subtype="bot_message"),
        past(NEWBIE, 2, "<@UNEWBIE01> has joined the channel", subtype="channel_join"),
        past(MEMBER, 45, "older than the thirty days read"),
    ]
    fake.add_channel(RANDOM, "random", member=False)  # not in it: never read
    fake.history[RANDOM] = [past(MEMBER, 1, "not readable")]


async def count(db: Any, model: Any) -> int:
    """Committed rows of a table."""
    async with db.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(model)) or 0)


async def test_token_mode_reads_history_at_start_and_sends_nothing(
    fake: FakeSlack, database_url: str
) -> None:
    history(fake)
    fake.script(
        "conversations.history", 429, {"ok": False, "error": "ratelimited"}, **{"Retry-After": "0"}
    )
    async with running(fake, database_url, warm_up=True) as h:
        await h.service.history.idle()
        # The start-up's calls may be cleared with the harness's: the fake counts reads itself.
        reads = list(fake.history_reads)
        assert RANDOM not in reads  # the bot is not in it
        assert reads.count(GENERAL) == 3  # 12 messages in pages of 5
        assert fake.scripted["conversations.history"] == []  # the 429 was met, then retried
        assert await count(h.db, Post) == 12
        async with h.db.connect() as conn:
            members = (await conn.execute(select(Member.member, Member.post_count))).all()
            status = (await conn.execute(select(HistoryWarmup.status))).scalars().all()
        assert members == [(MEMBER, 12)] and status == ["done"]
        assert fake.of("chat.postMessage") == [] and await count(h.db, AuditEntry) == 0

        # Marco is a regular on day one: his link is within his budget, his join is no news.
        await h.send.event(message_event(MEMBER, GENERAL, PITCH, f"{time.time():.6f}"))
        await h.send.event({"type": "member_joined_channel", "user": MEMBER, "channel": GENERAL})
        await h.send.event({"type": "member_joined_channel", "user": NEWBIE, "channel": GENERAL})
        await fake.wait_for(lambda: fake.dms(NEWBIE), what="the newcomer's welcome")
        assert fake.dms(MEMBER) == []
        async with h.db.connect() as conn:
            done = (await conn.execute(select(AuditEntry.action, AuditEntry.member))).all()
        assert done == [("welcome", NEWBIE)]  # no note for Marco's link, no welcome for him
        assert await count(h.db, Post) == 13
    # A restart does not read the workspace again.
    async with running(fake, database_url, warm_up=True) as h:
        await h.service.history.idle()
        assert fake.history_reads == reads


async def test_an_install_starts_the_read_without_keeping_the_page_waiting(
    fake: FakeSlack, database_url: str
) -> None:
    fake.add_bot(TOKEN2, TEAM2, "UBOT22222", "BBOT22222")
    fake.users["UREG22222"] = user("UREG22222", "Rae", team_id=TEAM2)
    fake.users["UADMIN222"] = user("UADMIN222", "Ada", team_id=TEAM2)  # gets the first-run guide
    fake.add_channel("C0TEAM2GN", "general", TEAM2)
    fake.history["C0TEAM2GN"] = [past("UREG22222", 5 - n / 10, CHAT.format(n=n)) for n in range(7)]
    offer_install(fake, "code-1", TOKEN2, TEAM2, "Second", "UBOT22222", "UADMIN222")
    listed, release = fake.hold("conversations.history")  # only the history read asks it
    async with running(
        fake,
        database_url,
        slack_bot_token=None,
        slack_client_id="111.222",
        slack_client_secret="client-secret",
    ) as h:
        status, _ = await install(h, "code-1")
        assert status == 200  # answered while the history read waits on Slack
        await listed.wait()
        release.set()
        await h.service.history.idle()
        assert {c.token for c in fake.of("conversations.history")} == {TOKEN2}
        async with h.db.connect() as conn:
            rows = (await conn.execute(select(HistoryWarmup.community, HistoryWarmup.status))).all()
        assert rows == [(TEAM2, "done")]
        assert await count(h.db, Post) == 7
        guide = fake.dm_channel("UADMIN222")
        assert [c for c in fake.of("chat.postMessage") if c.params["channel"] != guide] == []
        send = Sender(h.http, h.base + "/slack/events")
        user_joined = {"type": "team_join", "user": fake.users["UREG22222"]}
        assert (await send.event(user_joined, team=TEAM2))[0] == 200  # stored once answered
        async with h.db.connect() as conn:
            rae = (
                await conn.execute(select(AuditEntry).where(AuditEntry.member == "UREG22222"))
            ).all()
        assert rae == []  # Rae was there before the bot: no welcome, not even a shadow one


async def test_a_refused_channel_and_a_removed_author_are_skipped(
    fake: FakeSlack, database_url: str
) -> None:
    fake.history[GENERAL] = [past(MEMBER, 3, CHAT.format(n=n)) for n in range(3)]
    fake.history[INTROS] = [past(MEMBER, 2, "hi all, I'm Marco"), past(NEWBIE, 1, "hello!")]
    fake.history[INTROS].append(past("UGONE0001", 1.5, "a post by someone since removed"))
    fake.gone.add("UGONE0001")
    fake.script("conversations.history", 200, {"ok": False, "error": "not_in_channel"})
    async with running(fake, database_url, warm_up=True) as h:
        await h.service.history.idle()
        assert GENERAL not in fake.history_reads  # refused once: skipped
        assert await count(h.db, Post) == 2
        async with h.db.connect() as conn:
            status = (await conn.execute(select(HistoryWarmup.status))).scalars().all()
        assert status == ["done"]


# -- the bot added to a channel after the install -------------------------------------------


def invited(fake: FakeSlack, channel: str, channel_type: str = "C") -> dict[str, Any]:
    """The bot is now in `channel`: the member_joined_channel Slack sends for it."""
    fake.channels[channel]["is_member"] = True
    return {
        "type": "member_joined_channel",
        "user": BOT_USER,
        "channel": channel,
        "channel_type": channel_type,
        "team": TEAM,
    }


async def reads_of(db: Any) -> list[tuple[str, str, str]]:
    """(community, channel, status) of every history read, in order."""
    async with db.connect() as conn:
        w = HistoryWarmup
        rows = await conn.execute(select(w.community, w.channel, w.status).order_by(w.channel))
        return [tuple(r) for r in rows.all()]


async def test_the_bot_added_to_a_channel_reads_its_past_once_and_sends_nothing(
    fake: FakeSlack, database_url: str
) -> None:
    fake.add_channel(RANDOM, "random", member=False)
    fake.history[RANDOM] = [past(MEMBER, 9 - n, CHAT.format(n=n)) for n in range(7)]
    fake.history[RANDOM] += [
        past("UOTHERBOT", 3, "build passed", bot_id="BOTHER", subtype="bot_message"),
        past(MEMBER, 45, "older than the thirty days read"),
    ]
    late = past(MEMBER, 0.01, "a post Slack delivered live a moment before the bot's join")
    fake.history[RANDOM].append(late)
    async with running(fake, database_url) as h:
        # Counted live already: the read must not count it again.
        await h.send.event(message_event(MEMBER, RANDOM, late["text"], late["ts"]))
        assert (await h.send.event(invited(fake, RANDOM)))[0] == 200
        await h.service.history.idle()
        assert fake.history_reads == [RANDOM, RANDOM]  # 8 messages in pages of 5
        assert fake.of("conversations.list") == []  # one channel: nothing else is listed
        assert await count(h.db, Post) == 8  # the seven, and the live one once
        async with h.db.connect() as conn:
            members = (await conn.execute(select(Member.member, Member.post_count))).all()
        assert members == [(MEMBER, 8)]
        assert await reads_of(h.db) == [(TEAM, RANDOM, "done")]
        assert fake.of("chat.postMessage") == [] and await count(h.db, AuditEntry) == 0

        # Removed, then invited again: the channel was read, it is not read twice.
        await h.send.event(invited(fake, RANDOM))
        await h.service.history.idle()
        assert fake.history_reads == [RANDOM, RANDOM]
    async with running(fake, database_url, warm_up=True) as h:  # nor after a restart
        await h.send.event(invited(fake, RANDOM))
        await h.service.history.idle()
        assert fake.history_reads.count(RANDOM) == 2
        assert await count(h.db, Post) == 8


async def test_a_channel_the_install_read_had_is_not_read_again_when_joined(
    fake: FakeSlack, database_url: str
) -> None:
    history(fake)  # #general has posts; #introductions, none
    async with running(fake, database_url, warm_up=True) as h:
        await h.service.history.idle()
        reads, posts = list(fake.history_reads), await count(h.db, Post)
        assert INTROS in reads and posts == 12
        for channel in (GENERAL, INTROS):
            await h.send.event(invited(fake, channel))
        await h.service.history.idle()
        assert fake.history_reads == reads and await count(h.db, Post) == posts
        done = [(TEAM, "", "done"), (TEAM, GENERAL, "done"), (TEAM, INTROS, "done")]
        assert await reads_of(h.db) == done  # the joins' reads ended at once


async def test_a_member_joining_a_channel_is_still_only_a_member_joining(
    app: Harness, fake: FakeSlack
) -> None:
    fake.history[GENERAL] = [past(MEMBER, 2, CHAT.format(n=1))]
    await app.send.event({"type": "member_joined_channel", "user": NEWBIE, "channel": GENERAL})
    await app.service.history.idle()
    await fake.wait_for(lambda: fake.dms(NEWBIE), what="the newcomer's welcome")
    assert fake.history_reads == [] and await reads_of(app.db) == []


async def test_private_and_unreadable_channels_are_skipped_with_a_line_in_the_log(
    fake: FakeSlack, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    for channel in (PROMOS, MODS, RANDOM):
        fake.channels[channel]["is_member"] = False
        fake.history[channel] = [past(MEMBER, 2, CHAT.format(n=1))]
    caplog.set_level(logging.INFO, logger="groupbot.adapters.slack.history")
    async with running(fake, database_url) as h:
        await h.send.event(invited(fake, MODS, "G"))  # a private channel: not read at all
        await h.service.history.idle()
        for channel, error in ((PROMOS, "not_in_channel"), (RANDOM, "missing_scope")):
            fake.script("conversations.history", 200, {"ok": False, "error": error})
            await h.send.event(invited(fake, channel))
            await h.service.history.idle()
        assert fake.history_reads == [] and await count(h.db, Post) == 0
        assert await reads_of(h.db) == [(TEAM, PROMOS, "done"), (TEAM, RANDOM, "done")]
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert f"history of {MODS} not read: not a public channel" in logged
    assert f"history of {PROMOS} not readable: not_in_channel" in logged
    assert f"history of {RANDOM} not readable: missing_scope" in logged


async def test_history_off_reads_no_channel_joined(fake: FakeSlack, database_url: str) -> None:
    fake.history[RANDOM] = [past(MEMBER, 2, CHAT.format(n=1))]
    off = parse_rulebook("[history]\nenabled = false\n")
    async with running(fake, database_url, off) as h:
        await h.send.event(invited(fake, RANDOM))
        await h.service.history.idle()
        assert fake.history_reads == [] and await count(h.db, Post) == 0
        assert await reads_of(h.db) == [(TEAM, RANDOM, "done")]


async def test_a_channel_read_cut_short_resumes_at_the_next_start(
    fake: FakeSlack, database_url: str
) -> None:
    fake.add_channel(RANDOM, "random", member=False)
    fake.history[RANDOM] = [past(MEMBER, 9 - n, CHAT.format(n=n)) for n in range(7)]
    async with running(fake, database_url, warm_up=True) as h:
        await h.service.history.idle()  # the install's read: nothing in any channel
        fake.script("conversations.history", 200, {"ok": False, "error": "fatal_error"})
        await h.send.event(invited(fake, RANDOM))
        await h.service.history.idle()
        assert await reads_of(h.db) == [(TEAM, "", "done"), (TEAM, RANDOM, "running")]
    async with h.db.begin() as conn:  # ten minutes on: the stopped read's lease ran out
        await conn.execute(update(HistoryWarmup).values(lease_until=None, claimed_by=None))
    async with running(fake, database_url, warm_up=True) as h:
        await h.service.history.idle()
        assert await reads_of(h.db) == [(TEAM, "", "done"), (TEAM, RANDOM, "done")]
        assert await count(h.db, Post) == 7

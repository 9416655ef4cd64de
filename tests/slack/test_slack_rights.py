"""Owner rights on Slack follow users.info now, never what the bot remembers."""

from __future__ import annotations

from typing import Any

import pytest
from slackfake import FakeSlack, block_action, user
from slackharness import GENERAL, MEMBER, MODS, NEWBIE, PITCH, Harness, running
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from test_slack_flows import join, say

from groupbot.adapters.slack.clients import Clients
from groupbot.adapters.slack.directory import Directory
from groupbot.core.rulebook import Rulebook, parse_rulebook
from groupbot.storage.models import Community, Member, Request

REFUSED = "Only owners and moderators can"
MOD_RULES = '[channels]\nmoderators = "moderators"\n'


async def shadow(db: AsyncEngine) -> bool | None:
    """The workspace's stored shadow mode."""
    async with db.connect() as conn:
        return await conn.scalar(select(Community.shadow_mode))


async def statuses(db: AsyncEngine) -> list[str]:
    """Every request's status, by id."""
    async with db.connect() as conn:
        return list(await conn.scalars(select(Request.status).order_by(Request.id)))


async def change(h: Harness, uid: str, **flags: Any) -> None:
    """Slack changes a member (a promotion or a demotion) and says so with user_change."""
    h.fake.users[uid] = {**h.fake.users[uid], **flags}
    status, _ = await h.send.event({"type": "user_change", "user": h.fake.users[uid]})
    assert status == 200


async def answers(h: Harness, uid: str, count: int) -> list[str]:
    """The first `count` private answers to a member."""
    found = await h.fake.wait_for(
        lambda: (c := h.fake.of("chat.postEphemeral", user=uid))[count - 1 :] and c,
        what=f"{count} answers",
    )
    return [str(c.params["text"]) for c in found]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_a_demoted_admin_loses_owner_rights_at_once(
    fake: FakeSlack, database_url: str
) -> None:
    async with running(fake, database_url, parse_rulebook(MOD_RULES)) as h:
        await change(h, MEMBER, is_admin=True)
        await say(h, MEMBER, GENERAL, "hello all")  # the bot stores Marco as an admin
        await h.send.command("/groupbot", "shadow on", MEMBER)
        assert "Shadow mode is on" in (await answers(h, MEMBER, 1))[0]
        await h.send.command("/groupbot", "shadow off", MEMBER)
        assert "Shadow mode is off" in (await answers(h, MEMBER, 2))[1]
        await change(h, MEMBER, is_admin=False)
        await h.send.command("/groupbot", "shadow on", MEMBER)
        assert REFUSED in (await answers(h, MEMBER, 3))[2]
        assert await shadow(h.db) is False  # nothing changed
        await join(h, NEWBIE)
        await say(h, NEWBIE, GENERAL, PITCH)
        await h.fake.wait_for(lambda: h.fake.of("chat.postMessage", channel=MODS), what="queue")
        await h.send.interaction(
            block_action(MEMBER, "groupbot_approve", "1", MODS, trigger=h.send.trigger())
        )
        assert REFUSED in (await answers(h, MEMBER, 4))[3]
        assert await statuses(h.db) == ["pending"]
        async with h.db.connect() as conn:
            stored = await conn.scalar(select(Member.roles).where(Member.member == MEMBER))
        assert stored == "admin"  # only a message since: the cache, not a grant


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_stored_roles_grant_nothing_after_a_restart(
    fake: FakeSlack, database_url: str
) -> None:
    fake.users[MEMBER] = {**fake.users[MEMBER], "is_admin": True}
    async with running(fake, database_url) as h:
        await say(h, MEMBER, GENERAL, "hello all")
        await h.fake.wait_for(lambda: h.fake.of("users.info", user=MEMBER), what="lookup")
    fake.users[MEMBER] = {**fake.users[MEMBER], "is_admin": False}  # demoted while it was down
    async with running(fake, database_url) as h:
        await h.send.command("/groupbot", "shadow on", MEMBER)
        assert REFUSED in (await answers(h, MEMBER, 1))[0]
        assert not await shadow(h.db)


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_slack_connect_admin_is_no_owner_here(app: Harness) -> None:
    app.fake.users["UEXTERN01"] = user("UEXTERN01", "Eve", is_admin=True, team_id="TOTHERORG")
    await app.send.command("/groupbot", "shadow on", "UEXTERN01")
    assert REFUSED in (await answers(app, "UEXTERN01", 1))[0]
    assert not await shadow(app.db)


def test_rights_are_cached_a_minute_at_most() -> None:
    directory = Directory(Clients("http://127.0.0.1:9/"), Rulebook())
    assert directory._users.ttl <= 60.0


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_an_event_is_answered_500_while_the_database_is_away_and_stored_on_retry(
    app: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.ext.asyncio import AsyncEngine as Engine

    from groupbot.storage.models import ProcessedEvent

    def away(*_: object, **__: object) -> object:
        raise OperationalError("connect", {}, ConnectionRefusedError("database is away"))

    await say(app, MEMBER, GENERAL, "warming the caches up")
    with monkeypatch.context() as down:
        down.setattr(Engine, "connect", away)
        down.setattr(Engine, "begin", away)
        event = {"type": "team_join", "user": app.fake.users[NEWBIE]}
        status, _ = await app.send.event(event, event_id="EvDOWN0001")
        assert status == 500  # Slack retries what we could not store
    status, _ = await app.send.event(event, event_id="EvDOWN0001", retry=1)
    assert status == 200
    await app.fake.wait_for(lambda: app.fake.dms(NEWBIE), what="the welcome, once")
    status, _ = await app.send.event(event, event_id="EvDOWN0001", retry=2)
    assert status == 200
    async with app.db.connect() as conn:
        joins = await conn.scalar(
            select(func.count())
            .select_from(ProcessedEvent)
            .where(ProcessedEvent.event_id.like("join:%"))
        )
    assert joins == 1
    assert len(app.fake.dms(NEWBIE)) == 1

"""Text Slack sends is made safe at the edge: a NUL in a name or a post costs nothing."""

from __future__ import annotations

import asyncio

import pytest
from slackfake import FakeSlack, user
from slackharness import GENERAL, NEWBIE, PITCH, running
from sqlalchemy import func, select
from test_slack_flows import join, say

from groupbot.storage.models import AuditEntry, FailedEvent, Member


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_thirty_joins_and_one_with_nul_are_all_stored(
    fake: FakeSlack, database_url: str
) -> None:
    people = [user(f"UJOIN{n:04d}", f"Joiner {n}") for n in range(30)]
    people.append(user("UJOINNUL1", "Nul\x00 Person"))
    for person in people:
        fake.users[person["id"]] = person
    async with running(fake, database_url) as h:
        sent = await asyncio.gather(
            *(h.send.event({"type": "team_join", "user": person}) for person in people)
        )
        assert [status for status, _ in sent] == [200] * 31
        await join(h, NEWBIE)  # after the burst: welcomed with the next batch
        await say(h, NEWBIE, GENERAL, PITCH.replace("DM me", "DM\x00 me"))
        await h.fake.wait_for(lambda: h.fake.dms(NEWBIE), what="a note about the pitch")
        async with h.db.connect() as conn:
            stored = await conn.scalar(
                select(func.count()).select_from(Member).where(Member.member.like("UJOIN%"))
            )
            failed = await conn.scalar(select(func.count()).select_from(FailedEvent))
            name = await conn.scalar(select(Member.name).where(Member.member == "UJOINNUL1"))
            noted = await conn.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.member == NEWBIE, AuditEntry.action == "etiquette_note")
            )
    assert (stored, failed) == (31, 0)
    assert name == "Nul\ufffd Person"
    assert noted == 1

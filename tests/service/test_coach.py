"""The coach: one merged note per post, a hold with its request, escalation, shadow mode."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.core.actions import Action, EtiquetteNote, OwnersAlerted, ShadowDecision
from groupbot.core.events import MessagePosted
from groupbot.core.rulebook import Rulebook
from groupbot.service.bot import Bot

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PITCH = "Check out my course at https://mycourse.example.com buy now 50% off"
LINKS = "see https://a.com https://b.com https://c.com https://d.com"


async def started(engine: AsyncEngine, **settings: Any) -> Bot:
    """A started Bot on a rulebook with these settings."""
    bot = Bot(engine, Rulebook.model_validate(settings), platform="replay")
    await bot.start()
    bot.clock = T0
    return bot


@pytest.fixture
async def bot(engine: AsyncEngine) -> AsyncIterator[Bot]:
    """A started Bot on the default rulebook."""
    bot = await started(engine)
    yield bot
    await bot.close()


async def coach(
    bot: Bot, text: str, n: int = 1, *, channel: str = "general", newcomer: bool = True
) -> list[Action]:
    """Judge a post by U1 (Ann) as the Bot does, and let the coach act on the verdict."""
    now = T0 + timedelta(minutes=n)
    repo = await bot.repository("c1")
    state = await bot.members.get(repo, "U1", now, "Ann")
    if newcomer:
        state.joined_at = state.joined_at or T0
    ev = MessagePosted("c1", "U1", now, f"e{n}", channel, f"m{n}", text)
    verdict = bot.engine.evaluate(
        state, channel=channel, message=ev.message, text=text, at=now, community="c1"
    )
    out: list[Action] = []
    if verdict.findings:
        await bot.coach.coach(repo, ev, state, verdict, now, out)
    return out


def kinds(actions: list[Action]) -> list[str]:
    """The kinds of actions, in order."""
    return [a.kind for a in actions]


async def test_several_findings_make_one_merged_note(bot: Bot) -> None:
    out = await coach(bot, LINKS)
    notes = [a for a in out if isinstance(a, EtiquetteNote)]
    assert len(notes) == 1
    (note,) = notes
    assert note.rules == ("promote_before_introduce", "link_flood")
    assert note.rule == "promote_before_introduce"  # the first finding leads
    assert [f.rule for f in note.findings] == ["promote_before_introduce", "link_flood"]
    assert "4 links" in note.text and "introduced yourself" in note.text
    assert (note.member, note.message, note.channel) == ("U1", "m1", "general")


async def test_a_held_post_opens_one_request_and_tells_the_owners(bot: Bot) -> None:
    out = await coach(bot, PITCH)
    assert kinds(out) == ["etiquette_note", "hold", "approval_requested", "owners_notified"]
    note, hold, requested, notified = out
    assert "request #1" in note.to_json()["text"]
    assert hold.to_json() | {"at": None} == {
        "at": None,
        "community": "c1",
        "action": "hold",
        "member": "U1",
        "message": "m1",
        "channel": "general",
        "request": 1,
    }
    assert requested.to_json()["request"] == notified.to_json()["request"] == 1
    assert notified.to_json()["text"].startswith("Request #1 from Ann for #general")
    pending = await (await bot.repository("c1")).requests.pending()
    assert [(r.id, r.origin, r.message, r.rule) for r in pending] == [
        (1, "hold", "m1", "promote_before_introduce")
    ]
    assert pending[0].evidence.startswith("promote_before_introduce: ")


async def test_each_held_post_gets_its_own_request(bot: Bot) -> None:
    first = await coach(bot, PITCH, 1)
    second = await coach(bot, LINKS, 2)
    holds = [a.to_json()["request"] for a in first + second if a.kind == "hold"]
    assert holds == [1, 2]


async def test_the_nth_note_alerts_the_owners(engine: AsyncEngine) -> None:
    bot = await started(engine, notes={"escalate_after": 2})
    assert "owners_alerted" not in kinds(await coach(bot, PITCH, 1))
    out = await coach(bot, LINKS, 2)
    alerts = [a for a in out if isinstance(a, OwnersAlerted)]
    assert len(alerts) == 1
    (alert,) = alerts
    assert (alert.member, alert.notes, alert.window_days) == ("U1", 2, 30)
    assert alert.text.startswith("Ann has had 2 etiquette notes in 30 days")
    assert kinds(out)[-1] == "owners_alerted"  # after the note and the request
    await bot.close()


async def test_no_escalation_when_turned_off(engine: AsyncEngine) -> None:
    bot = await started(engine, notes={"escalate_after": 0})
    out = [a for n in range(1, 6) for a in await coach(bot, f"{LINKS} {n}", n)]
    assert kinds(out).count("etiquette_note") == 5
    assert "owners_alerted" not in kinds(out)
    await bot.close()


async def test_shadow_mode_records_what_would_happen_and_does_nothing(
    engine: AsyncEngine,
) -> None:
    bot = await started(engine, shadow_mode=True)
    out = await coach(bot, LINKS)
    assert kinds(out) == ["shadow_decision"]
    (decision,) = out
    assert isinstance(decision, ShadowDecision)
    assert decision.would == ("etiquette_note", "hold", "approval_requested")
    assert decision.rules == ("promote_before_introduce", "link_flood")
    assert (decision.member, decision.message, decision.rule) == (
        "U1",
        "m1",
        "promote_before_introduce",
    )
    assert await (await bot.repository("c1")).requests.pending() == []  # no request opened
    await bot.close()


async def test_an_owners_switch_to_shadow_mode_takes_effect(bot: Bot) -> None:
    bot.communities.set_shadow("c1", True)
    assert kinds(await coach(bot, PITCH)) == ["shadow_decision"]
    bot.communities.set_shadow("c1", False)
    assert kinds(await coach(bot, LINKS, 2))[:2] == ["etiquette_note", "hold"]


async def test_a_blast_gets_one_note_and_one_request_for_every_copy(bot: Bot) -> None:
    text = "Hey all, I'm hosting a free webinar on growth, sign up at growthwebinar.example.com"
    out: list[list[Action]] = []
    for n, channel in enumerate(["general", "random", "events", "jobs"], start=1):
        out.append(await coach(bot, text, n, channel=channel, newcomer=False))
    crossing = out[2]
    assert kinds(crossing).count("etiquette_note") == 1
    assert [a.to_json()["message"] for a in crossing if a.kind == "hold"] == ["m2", "m3"]
    assert {a.to_json()["request"] for a in crossing if a.kind == "hold"} == {1}
    # A later copy is held under the same request, with no second note nor request.
    assert [(a.kind, a.to_json()["request"]) for a in out[3]] == [("hold", 1)]
    assert len(await (await bot.repository("c1")).requests.pending()) == 1


async def test_shadow_mode_holds_no_later_copy_of_a_blast(engine: AsyncEngine) -> None:
    bot = await started(engine, shadow_mode=True)
    text = "Hey all, I'm hosting a free webinar on growth, sign up at growthwebinar.example.com"
    out = [
        a
        for n, channel in enumerate(["general", "random", "events", "jobs"], start=1)
        for a in await coach(bot, text, n, channel=channel, newcomer=False)
    ]
    assert "hold" not in kinds(out) and "etiquette_note" not in kinds(out)
    await bot.close()

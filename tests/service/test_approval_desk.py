"""The approval desk: requests open with their timers, are decided once, reminded once, lapse."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.core.actions import Action, OwnersReminded, RequestDecided, RequestExpired
from groupbot.core.approvals import Status, refusal_for_decided
from groupbot.core.events import CommandIssued, MemberJoined
from groupbot.core.rulebook import Rulebook
from groupbot.service.bot import Bot
from groupbot.service.timers import Timer, TimerKind
from groupbot.storage.repositories import CommunityRepositories

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(params=[False, True], ids=["shared-ledger", "private-ledger"])
async def bot(request: pytest.FixtureRequest, engine: AsyncEngine) -> AsyncIterator[Bot]:
    """A started Bot whose desk keeps its ledger in the database, or in memory (private)."""
    bot = Bot(engine, Rulebook(), platform="replay", private=request.param)
    await bot.start()
    bot.clock = T0
    yield bot
    await bot.close()


async def open_request(bot: Bot, repo: CommunityRepositories, text: str = "buy my course") -> int:
    """U1 (Ann) asks to share text in #general."""
    state = await bot.members.get(repo, "U1", T0, "Ann")
    return await bot.desk.open(
        repo,
        member=state,
        origin="hold",
        channel="general",
        message="m1",
        text=text,
        rule="self_promo_ratio",
        evidence="self_promo_ratio: example.com",
        now=T0,
    )


def due(bot: Bot, until: datetime) -> list[Timer]:
    """The timers due by `until`, taken off the queue."""
    return bot.timers.pop_due(until)


def kinds(actions: list[Action]) -> list[str]:
    """The kinds of actions, in order."""
    return [a.kind for a in actions]


async def test_open_queues_a_pending_request_with_reminder_and_expiry(bot: Bot) -> None:
    repo = await bot.repository("c1")
    first = await open_request(bot, repo)
    second = await open_request(bot, repo, "and my newsletter")
    assert (first, second) == (1, 2)
    row = await repo.requests.get(first)
    assert row is not None
    assert (row.status, row.member, row.member_name, row.channel) == (
        "pending",
        "U1",
        "Ann",
        "general",
    )
    assert row.remind_at == T0 + timedelta(hours=24)
    assert row.expire_at == T0 + timedelta(hours=72)
    opened = due(bot, T0 + timedelta(days=30))
    assert {(t.member, t.summary) for t in opened} == {
        ("U1", "from Ann: buy my course"),
        ("U1", "from Ann: and my newsletter"),
    }
    timers = [(t.kind, t.request, t.due) for t in opened]
    assert timers[:2] == [
        (TimerKind.REMIND, 1, T0 + timedelta(hours=24)),
        (TimerKind.REMIND, 2, T0 + timedelta(hours=24)),
    ]
    assert (TimerKind.EXPIRE, 1, T0 + timedelta(hours=72)) in timers


async def test_no_reminder_when_the_rulebook_turns_it_off(engine: AsyncEngine) -> None:
    rulebook = Rulebook.model_validate({"approvals": {"remind_after_hours": 0}})
    bot = Bot(engine, rulebook, platform="replay")
    await bot.start()
    bot.clock = T0
    repo = await bot.repository("c1")
    request = await open_request(bot, repo)
    row = await repo.requests.get(request)
    assert row is not None and row.remind_at is None
    assert [t.kind for t in due(bot, T0 + timedelta(days=30))] == [TimerKind.EXPIRE]
    await bot.close()


async def test_a_request_is_decided_exactly_once(bot: Bot) -> None:
    repo = await bot.repository("c1")
    request = await open_request(bot, repo)
    later = T0 + timedelta(hours=1)
    assert await bot.desk.decide(repo, request, Status.APPROVED, "U9", "fine", later)
    # A second decision, either way, is refused and changes nothing.
    assert not await bot.desk.decide(repo, request, Status.DENIED, "U8", "no", later)
    assert not await bot.desk.decide(repo, request, Status.APPROVED, "U9", None, later)
    await bot.transactions.flush()
    row = await repo.requests.get(request)
    assert row is not None
    assert (row.status, row.decided_by, row.decision_note) == ("approved", "U9", "fine")


async def test_an_unknown_request_cannot_be_decided(bot: Bot) -> None:
    repo = await bot.repository("c1")
    await open_request(bot, repo)
    assert not await bot.desk.decide(repo, 99, Status.APPROVED, "U9", None, T0)


async def test_another_communitys_request_cannot_be_decided(engine: AsyncEngine) -> None:
    bot = Bot(engine, Rulebook(), platform="replay")
    await bot.start()
    bot.clock = T0
    request = await open_request(bot, await bot.repository("c1"))
    other = await bot.repository("c2")
    assert not await bot.desk.decide(other, request, Status.APPROVED, "U9", None, T0)
    await bot.close()


async def test_decided_tells_the_owners_copies(bot: Bot) -> None:
    repo = await bot.repository("c1")
    request = await open_request(bot, repo)
    out: list[Action] = []
    bot.desk.decided(repo, request, Status.DENIED, "U1", "U9", "not here", T0, out)
    assert out == [
        RequestDecided(
            at=T0,
            community="c1",
            request=request,
            status="denied",
            member="U1",
            by="U9",
            note="not here",
        )
    ]


async def test_a_pending_request_is_reminded_once(bot: Bot) -> None:
    repo = await bot.repository("c1")
    request = await open_request(bot, repo)
    (remind,) = [t for t in due(bot, T0 + timedelta(hours=24)) if t.kind is TimerKind.REMIND]
    out: list[Action] = []
    await bot.desk.remind(repo, remind, out)
    assert out == [
        OwnersReminded(
            at=T0 + timedelta(hours=24),
            community="c1",
            request=request,
            member="U1",
            expires_at="2026-03-05T09:00:00Z",
            text=(
                f"Reminder: request #{request} (from Ann: buy my course) is still waiting. "
                "It lapses at 2026-03-05 09:00 UTC."
            ),
        )
    ]
    again: list[Action] = []
    await bot.desk.remind(repo, remind, again)  # the same timer twice: no second reminder
    assert again == []


async def test_a_decided_request_is_not_reminded(bot: Bot) -> None:
    repo = await bot.repository("c1")
    request = await open_request(bot, repo)
    assert await bot.desk.decide(repo, request, Status.APPROVED, "U9", None, T0)
    (remind,) = [t for t in due(bot, T0 + timedelta(hours=24)) if t.kind is TimerKind.REMIND]
    out: list[Action] = []
    await bot.desk.remind(repo, remind, out)
    assert out == []


async def test_an_undecided_request_expires_and_the_member_is_told(bot: Bot) -> None:
    repo = await bot.repository("c1")
    request = await open_request(bot, repo)
    expiry = [t for t in due(bot, T0 + timedelta(hours=72)) if t.kind is TimerKind.EXPIRE]
    out: list[Action] = []
    await bot.desk.expire(repo, expiry[0], out)
    assert kinds(out) == ["request_expired", "request_decided"]
    lapsed = out[0]
    assert isinstance(lapsed, RequestExpired)
    assert (lapsed.request, lapsed.member, lapsed.at) == (request, "U1", T0 + timedelta(hours=72))
    assert f"#{request}" in lapsed.text
    # Expired is a decision: nobody can decide it afterwards, and it does not expire twice.
    assert not await bot.desk.decide(repo, request, Status.APPROVED, "U9", None, T0)
    twice: list[Action] = []
    await bot.desk.expire(repo, expiry[0], twice)
    assert twice == []
    await bot.transactions.flush()
    row = await repo.requests.get(request)
    assert row is not None and (row.status, row.decided_by) == ("expired", None)


async def test_a_decided_request_does_not_expire(bot: Bot) -> None:
    repo = await bot.repository("c1")
    request = await open_request(bot, repo)
    assert await bot.desk.decide(repo, request, Status.DENIED, "U9", "no", T0)
    expiry = [t for t in due(bot, T0 + timedelta(hours=72)) if t.kind is TimerKind.EXPIRE]
    out: list[Action] = []
    await bot.desk.expire(repo, expiry[0], out)
    assert out == []


async def test_a_restart_rebuilds_the_ledger_and_timers(engine: AsyncEngine) -> None:
    bot = Bot(engine, Rulebook(), platform="replay", private=True)
    await bot.start()
    bot.clock = T0
    repo = await bot.repository("c1")
    decided = await open_request(bot, repo)
    pending = await open_request(bot, repo, "second")
    assert await bot.desk.decide(repo, decided, Status.APPROVED, "U9", None, T0)
    await bot.close()
    again = Bot(engine, Rulebook(), platform="replay", private=True)
    await again.start()
    again.clock = T0
    repo = await again.repository("c1")
    timers = {(t.kind, t.request) for t in due(again, T0 + timedelta(days=30))}
    assert timers == {(TimerKind.REMIND, pending), (TimerKind.EXPIRE, pending)}
    assert not await again.desk.decide(repo, decided, Status.DENIED, "U9", None, T0)
    assert await again.desk.decide(repo, pending, Status.DENIED, "U9", None, T0)
    assert await open_request(again, repo) == 3  # ids go on from the database's last
    await again.close()


def approve(member: str, request: int, n: int) -> CommandIssued:
    """`approve N` from a member (the platform does not say their roles)."""
    at = T0 + timedelta(minutes=n)
    return CommandIssued("c1", member, at, f"cmd:{n}", "approve", (str(request),))


async def test_only_an_owner_decides_and_only_once(bot: Bot) -> None:
    await bot.handle(MemberJoined("c1", "U9", T0, "join:U9", "Olga", frozenset({"owner"})))
    await bot.handle(MemberJoined("c1", "U2", T0, "join:U2", "Bob"))
    request = await open_request(bot, await bot.repository("c1"))
    refused = await bot.handle(approve("U2", request, 1))
    assert kinds(refused) == ["command_rejected"]
    assert refused[0].to_json()["reason"].startswith("Only owners and moderators can")
    row = await (await bot.repository("c1")).requests.get(request)
    assert row is not None and row.status == "pending"  # the refusal changed nothing
    assert "published" in kinds(await bot.handle(approve("U9", request, 2)))
    twice = await bot.handle(approve("U9", request, 3))
    assert kinds(twice) == ["command_rejected"]
    assert twice[0].to_json()["reason"] == refusal_for_decided(request, "approved", "U9")
    unknown = await bot.handle(approve("U9", 99, 4))
    assert [a.to_json()["reason"] for a in unknown] == ["There is no request #99."]
    row = await (await bot.repository("c1")).requests.get(request)
    assert row is not None and (row.status, row.decided_by) == ("approved", "U9")


async def test_an_expired_request_cannot_be_approved(bot: Bot) -> None:
    await bot.handle(MemberJoined("c1", "U9", T0, "join:U9", "Olga", frozenset({"owner"})))
    request = await open_request(bot, await bot.repository("c1"))
    lapsed = await bot.advance(T0 + timedelta(hours=72))
    assert "request_expired" in kinds(lapsed)
    late = await bot.handle(approve("U9", request, 72 * 60 + 1))
    assert kinds(late) == ["command_rejected"]
    assert late[0].to_json()["reason"] == refusal_for_decided(request, "expired", None)

"""A change made through one process is in force in another within seconds, on one database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from groupbot.core.actions import Action, ConfigChanged, Welcome
from groupbot.core.events import CommandIssued, MemberJoined
from groupbot.core.rulebook import Rulebook
from groupbot.service.communities import REFRESH_SECONDS
from groupbot.service.runtime import open_bot
from groupbot.service.settings_reader import SettingsReader

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _join(member: str, minute: int) -> MemberJoined:
    at = T0 + timedelta(minutes=minute)
    return MemberJoined(community="c1", member=member, at=at, event_id=f"j-{member}", name=member)


async def test_another_bot_sees_a_change_after_the_refresh_interval(database_url: str) -> None:
    assert REFRESH_SECONDS <= 5
    seen_a: list[Action] = []
    seen_b: list[Action] = []
    async with (
        open_bot(database_url, Rulebook(), sink=seen_a.append) as a,
        open_bot(database_url, Rulebook(), sink=seen_b.append) as b,
    ):
        ticks = [0.0]
        b.communities.clock = lambda: ticks[0]
        await b.handle(_join("U1", 1))
        await a.handle(
            CommandIssued(
                community="c1",
                member="O1",
                at=T0 + timedelta(minutes=2),
                event_id="cfg",
                name="config",
                args=("set", "welcome.text", "Hey", "{name}"),
                roles=frozenset({"owner"}),
            )
        )
        assert [type(x) for x in seen_a] == [ConfigChanged]
        ticks[0] = REFRESH_SECONDS
        await b.handle(_join("U2", 3))
    texts = [x.text for x in seen_b if isinstance(x, Welcome)]
    assert texts[0].startswith("Hi U1, welcome")
    assert texts[1] == "Hey U2"


async def test_the_settings_reader_sees_a_change_made_by_another_process(
    database_url: str,
) -> None:
    async with (
        open_bot(database_url, Rulebook(), sink=lambda _: None) as a,
        open_bot(database_url, Rulebook(), sink=lambda _: None) as b,
    ):
        ticks = [0.0]
        b.communities.clock = lambda: ticks[0]
        reader = SettingsReader(b.db, b.communities)
        assert (await reader("c1")).channels.welcome == "general"  # no row yet: the defaults
        await a.handle(
            CommandIssued(
                community="c1",
                member="O1",
                at=T0,
                event_id="cfg-welcome",
                name="config",
                args=("set", "channels.welcome", "#lobby"),
                roles=frozenset({"owner"}),
            )
        )
        assert (await reader("c2")).channels.welcome == "general"
        fresh = SettingsReader(b.db, b.communities)  # past the reader's own cache
        assert (await fresh("c1")).channels.welcome == "lobby"
        assert "c1" not in b.communities.known()  # read only: the core loads it on its event

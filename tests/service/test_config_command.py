"""The `config` command through replay: per-community settings, refusals, history, persistence."""

from __future__ import annotations

from typing import Any

from replaykit import PITCH_TEXT, cmd, join, only, replay, say
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.storage.models import Request


def _owner(community: str) -> dict[str, Any]:
    return join("O1", 0, name="Olga", roles=["owner"], community=community)


async def test_two_communities_configured_differently_in_one_stream() -> None:
    events = [
        _owner("c1"),
        _owner("c2"),
        cmd("O1", "config", "set", "rules.link_flood.max_links", "1", minute=1, community="c1"),
        cmd(
            "O1",
            "config",
            "set",
            "rules.link_flood.max_links_watched",
            "1",
            minute=1,
            community="c1",
        ),
        cmd("O1", "config", "set", "rules.link_flood.max_links", "1", minute=1.5, community="c1"),
        cmd("O1", "config", "set", "welcome.text", "Hola", "{name}!", minute=2, community="c2"),
        join("U1", 3, name="Una", community="c1"),
        join("U1", 3, name="Una", community="c2"),
        say("V1", "docs at https://a.com and https://b.com", 4, community="c1", id="m1"),
        say("V1", "docs at https://a.com and https://b.com", 4, community="c2", id="m2"),
    ]
    code, actions, errors = await replay(events)
    assert code == 0, errors
    changed = only(actions, "config_changed")
    rejected = only(actions, "command_rejected")
    assert [c["key"] for c in changed] == [
        "rules.link_flood.max_links_watched",
        "rules.link_flood.max_links",
        "welcome.text",
    ]
    assert "max_links_watched (2)" in rejected[0]["reason"]
    assert changed[1]["value"] == 1 and changed[1]["previous"] == 5
    assert changed[1]["reset"] is False and changed[1]["member"] == "O1"
    welcomes = {w["community"]: w["text"] for w in only(actions, "welcome")}
    assert welcomes["c2"] == "Hola Una!"
    assert welcomes["c1"].startswith("Hi Una, welcome")
    holds = only(actions, "hold")
    assert [(h["community"], h["member"]) for h in holds] == [("c1", "V1")]


async def test_members_are_refused_and_nothing_changes() -> None:
    events = [
        join("U1", 0, name="Una"),
        cmd("U1", "config", "set", "shadow_mode", "true", minute=1),
        cmd("U1", "config", "show", minute=1),
        _owner("c1"),
        cmd("O1", "config", "show", "shadow_mode", minute=2),
    ]
    _code, actions, _ = await replay(events)
    refused = only(actions, "command_rejected")
    assert len(refused) == 2
    assert all("Only owners and moderators" in r["reason"] for r in refused)
    shown = only(actions, "config_shown")
    assert shown[0]["key"] == "shadow_mode"
    assert shown[0]["text"].startswith("shadow_mode = false\n")


async def test_unknown_keys_and_bad_values_name_the_key() -> None:
    events = [
        _owner("c1"),
        cmd("O1", "config", "set", "channels.intros", "hello", minute=1),
        cmd("O1", "config", "set", "rules.link_flood.max_links", "lots", minute=1),
        cmd("O1", "config", "set", "welcome.mode", "loud", minute=1),
        cmd("O1", "config", "reset", "nothing.here", minute=1),
        cmd("O1", "config", "set", "welcome.text", minute=1),
        cmd("O1", "config", "frobnicate", minute=1),
        cmd("O1", "config", "history", minute=2),
    ]
    _code, actions, _ = await replay(events)
    reasons = [r["reason"] for r in only(actions, "command_rejected")]
    assert "channels.intros" in reasons[0] and "did you mean 'channels.intro'?" in reasons[0]
    assert "rules.link_flood.max_links" in reasons[1] and "'lots'" in reasons[1]
    assert "welcome.mode" in reasons[2] and "'loud'" in reasons[2]
    assert "nothing.here: unknown setting" in reasons[3]
    assert reasons[4].startswith("Usage: config") and reasons[5].startswith("Usage: config")
    assert not only(actions, "config_changed")
    assert only(actions, "command_reply")[-1]["text"] == "No settings have been changed here yet."


async def test_plain_text_lists_and_channels_and_reset() -> None:
    events = [
        _owner("c1"),
        cmd("O1", "config", "set", "channels.intro", "#hello,", "#Intros", minute=1),
        cmd("O1", "config", "set", "channels.moderators", "#mods", minute=1),
        cmd("O1", "config", "reset", "channels.intro", minute=2),
        cmd("O1", "config", "history", minute=3),
    ]
    _code, actions, _ = await replay(events)
    changed = only(actions, "config_changed")
    assert changed[0]["value"] == ["hello", "Intros"]
    assert changed[1]["value"] == "mods"
    assert changed[2]["reset"] is True
    assert changed[2]["value"] == ["introductions", "intros", "introduce-yourself", "say-hello"]
    assert changed[2]["previous"] == ["hello", "Intros"]
    history = only(actions, "command_reply")[-1]["text"].splitlines()
    assert len(history) == 4
    assert "O1: channels.intro: " in history[1] and "reset to the default" in history[1]


async def test_shadow_command_is_the_shadow_mode_setting() -> None:
    events = [
        _owner("c1"),
        cmd("O1", "shadow", "on", minute=1),
        cmd("O1", "config", "show", "shadow_mode", minute=2),
        join("U1", 3, name="Una"),
        cmd("O1", "config", "set", "shadow_mode", "false", minute=4),
        join("U2", 5, name="Ugo"),
        cmd("O1", "config", "history", minute=6),
    ]
    _code, actions, _ = await replay(events)
    assert only(actions, "config_shown")[0]["text"].startswith("shadow_mode = true\n")
    assert [a["member"] for a in only(actions, "welcome")] == ["O1", "U2"]
    assert only(actions, "config_changed")[0]["previous"] is True
    history = only(actions, "command_reply")[-1]["text"]
    assert "shadow_mode: false -> true" in history and "shadow_mode: true -> false" in history


async def test_settings_persist_across_replays_on_one_database(database_url: str) -> None:
    first = [_owner("c1"), cmd("O1", "config", "set", "welcome.text", "Hey {name}", minute=1)]
    code, _actions, errors = await replay(first, database=database_url)
    assert code == 0, errors
    second = [join("U1", 10, name="Una"), join("U1", 10, name="Una", community="c2")]
    _code, actions, _ = await replay(second, database=database_url)
    texts = {w["community"]: w["text"] for w in only(actions, "welcome")}
    assert texts["c1"] == "Hey Una"
    assert texts["c2"].startswith("Hi Una, welcome")


async def test_retention_follows_each_communitys_setting(
    database_url: str, engine: AsyncEngine
) -> None:
    events: list[dict[str, Any]] = [
        _owner("c1"),
        _owner("c2"),
        cmd("O1", "config", "set", "retention.message_days", "1", minute=1, community="c1"),
    ]
    for c in ("c1", "c2"):
        events += [
            join("ben", 2, community=c),
            say("ben", PITCH_TEXT, 3, id=f"m-{c}", community=c),
            cmd("O1", "deny", "1", "not this week", minute=4, community=c),
        ]
    events.append(say("ann", "Morning all, how was the weekend?", days=3))
    code, _actions, errors = await replay(events, database=database_url)
    assert code == 0, errors
    async with engine.connect() as conn:
        rows = await conn.execute(select(Request.community, Request.text).order_by(Request.id))
        texts = dict(rows.all())
    assert texts["c1"] == "" and texts["c2"] == PITCH_TEXT

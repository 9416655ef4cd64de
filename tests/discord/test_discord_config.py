"""`/groupbot config ...` in simcord: owners change this server's settings, others are refused."""

from __future__ import annotations

import pytest
from discordworld import World, make_client
from simcord.backend.errors import SetupError
from sqlalchemy.ext.asyncio import AsyncEngine
from test_discord_behaviour import answers, dms, newcomer

from groupbot.adapters.discord.commands import matching_keys
from groupbot.core.rulebook import Rulebook
from groupbot.service.bot import Bot


async def test_owner_sets_shows_and_resets_a_setting(world: World) -> None:
    changed = await world.owner.slash(
        world.general, "groupbot config set", key="welcome.text", value="Hey {name}, hi!"
    )
    assert changed.ephemeral
    assert 'welcome.text is now "Hey {name}, hi!"' in answers(changed)
    shown = await world.owner.slash(world.general, "groupbot config show", key="welcome.text")
    assert "(set for this community)" in answers(shown)
    ann = await newcomer(world)
    texts = [m.content for m in world.general.history()] + dms(ann)
    assert any("Hey" in t and "hi!" in t for t in texts)
    refused = await world.owner.slash(
        world.general, "groupbot config set", key="channels.intros", value="hello"
    )
    assert "did you mean 'channels.intro'?" in answers(refused)
    reset = await world.owner.slash(world.general, "groupbot config reset", key="welcome.text")
    assert "back to the default" in answers(reset)
    history = await world.owner.slash(world.general, "groupbot config history")
    assert answers(history).count("welcome.text") == 2


async def test_members_do_not_see_the_command(world: World) -> None:
    ann = await newcomer(world)
    with pytest.raises(SetupError, match="not visible"):
        await ann.slash(world.general, "groupbot config show")


def test_keys_autocomplete_by_prefix_then_substring() -> None:
    assert matching_keys("channels.in") == ["channels.intro"]
    found = matching_keys("max_links")
    assert found == ["rules.link_flood.max_links_watched", "rules.link_flood.max_links"]
    assert len(matching_keys("")) == 25


async def test_rules_summary_shows_this_servers_settings(world: World) -> None:
    await world.owner.slash(world.general, "groupbot config set", key="channels.intro", value="#hi")
    rules = await world.owner.slash(world.general, "groupbot rules")
    assert "Intro channels: #hi" in answers(rules)


async def test_settings_menus_change_channels_welcome_and_shadow(world: World) -> None:
    shown = await world.owner.slash(world.general, "groupbot settings")
    assert shown.response is not None and shown.ephemeral
    assert "Intro channels: #" in shown.response.content
    menus = shown.response
    chose = await world.owner.select(
        menus, [world.intros, world.general], custom_id="groupbot:settings:intro"
    )
    assert "channels.intro is now" in answers(chose)
    await world.owner.select(menus, [world.moderators], custom_id="groupbot:settings:moderators")
    await world.owner.select(menus, ["dm"], custom_id="groupbot:settings:welcome")
    await world.owner.select(menus, ["true"], custom_id="groupbot:settings:shadow")
    again = await world.owner.slash(world.general, "groupbot settings")
    assert again.response is not None
    text = again.response.content
    assert f"#{world.intros.name}, #general" in text
    assert "Welcome: dm" in text and "Shadow mode: on" in text
    history = await world.owner.slash(world.general, "groupbot config history")
    assert answers(history).count(" -> ") == 4


async def test_settings_menus_still_answer_after_a_restart(
    world: World, engine: AsyncEngine, rulebook: Rulebook
) -> None:
    shown = await world.owner.slash(world.general, "groupbot settings")
    assert shown.response is not None
    fresh = Bot(engine, rulebook, platform="discord")
    await fresh.start()
    await world.env.restart_bot(make_client(fresh, rulebook, world.holder))
    chose = await world.owner.select(shown.response, ["dm"], custom_id="groupbot:settings:welcome")
    assert "welcome.mode is now" in answers(chose)
    await fresh.close()

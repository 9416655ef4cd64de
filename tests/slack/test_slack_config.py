"""`/groupbot config ...` over loopback: owners change the workspace's settings privately."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slackfake import block_action, message_event, view_submission
from slackharness import GENERAL, INTROS, MEMBER, MODS, NEWBIE, OWNER, PITCH, RANDOM, Harness

from groupbot.adapters.slack.settings_view import SETTINGS_OPEN, SETTINGS_VIEW

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


async def _answer(app: Harness, uid: str, count: int) -> str:
    """The text of the member's count-th ephemeral answer."""
    found = await app.fake.wait_for(
        lambda: len(app.fake.of("chat.postEphemeral", user=uid)) >= count or None,
        what=f"answer {count}",
    )
    assert found
    return str(app.fake.of("chat.postEphemeral", user=uid)[count - 1].params["text"])


async def test_owner_sets_a_channel_setting_with_slacks_channel_escape(app: Harness) -> None:
    await app.send.command("/groupbot", "config set channels.moderators <#C9|mods>", OWNER, GENERAL)
    assert 'channels.moderators is now "mods"' in await _answer(app, OWNER, 1)
    await app.send.command("/groupbot", "config show channels.moderators", OWNER, GENERAL)
    assert await _answer(app, OWNER, 2) == 'channels.moderators = "mods"\n(set for this community)'
    await app.send.command("/groupbot", "config set rules.link_flood.max_links lots", OWNER)
    assert "rules.link_flood.max_links: 'lots'" in await _answer(app, OWNER, 3)


async def test_a_member_is_refused(app: Harness) -> None:
    await app.send.command("/groupbot", "config set shadow_mode true", MEMBER, GENERAL)
    assert "Only owners and moderators" in await _answer(app, MEMBER, 1)
    await app.send.command("/groupbot", "config show", MEMBER, GENERAL)
    assert "Only owners and moderators" in await _answer(app, MEMBER, 2)


def _values(**over: dict[str, Any]) -> dict[str, Any]:
    """A Settings submission: the defaults as the modal shows them, with some fields changed."""
    values: dict[str, Any] = {
        "channels-intro": {"value": {"selected_conversations": [INTROS]}},
        "channels-moderators": {"value": {"selected_conversation": None}},
        "welcome-mode": {"value": {"selected_option": {"value": "auto"}}},
        "welcome-text": {"value": {"value": "Hi {name}!"}},
        "shadow_mode": {"value": {"selected_option": {"value": "off"}}},
        "rules-link_flood-max_links": {"value": {"value": "5"}},
        "detection-threshold": {"value": {"value": "0.5"}},
    }
    for block, field in over.items():
        values[block.replace("__", "-")] = {"value": field}
    return values


async def test_settings_modal_opens_for_owners_only(app: Harness) -> None:
    await app.send.interaction(block_action(MEMBER, SETTINGS_OPEN, "settings", None, trigger="t1"))
    await app.send.interaction(block_action(OWNER, SETTINGS_OPEN, "settings", None, trigger="t2"))
    opened = await app.fake.wait_for(lambda: app.fake.of("views.open"), what="modal")
    assert len(opened) == 1 and opened[0].params["trigger_id"] == "t2"
    view = opened[0].params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == SETTINGS_VIEW
    fields = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert fields["channels-intro"]["type"] == "multi_conversations_select"
    assert fields["channels-intro"]["initial_conversations"] == [INTROS]
    assert fields["rules-link_flood-max_links"]["initial_value"] == "5"
    assert fields["shadow_mode"]["initial_option"]["value"] == "off"


async def test_settings_errors_are_inline_and_nothing_changes(app: Harness) -> None:
    bad = _values(rules__link_flood__max_links={"value": "0"}, welcome__text={"value": "Hi {nam}"})
    status, body = await app.send.interaction(
        view_submission(OWNER, SETTINGS_VIEW, bad, trigger="t")
    )
    answer = json.loads(body)
    assert status == 200 and answer["response_action"] == "errors"
    assert answer["errors"]["rules-link_flood-max_links"] == "must be at least 1, not 0"
    assert "channels-intro" not in answer["errors"]
    assert "unknown placeholder {nam}" in answer["errors"]["welcome-text"]
    await app.send.command("/groupbot", "config history", OWNER, GENERAL)
    assert "No settings have been changed" in await _answer(app, OWNER, 1)


async def test_settings_saved_become_config_changes(app: Harness) -> None:
    good = _values(
        channels__intro={"selected_conversations": [INTROS, GENERAL]},
        channels__moderators={"selected_conversation": MODS},
        shadow_mode={"selected_option": {"value": "on"}},
    )
    status, body = await app.send.interaction(
        view_submission(OWNER, SETTINGS_VIEW, good, trigger="t")
    )
    assert status == 200 and not body.strip()
    await app.fake.wait_for(lambda: app.fake.of("views.publish"), what="home refreshed")
    await app.send.command("/groupbot", "config history", OWNER, GENERAL)
    history = await _answer(app, OWNER, 1)
    assert "channels.intro" in history and "channels.moderators" in history
    assert "shadow_mode: false -> true" in history and "welcome.text" in history
    assert "max_links" not in history  # unchanged fields are not written
    await app.send.command("/groupbot", "config show channels.moderators", OWNER, GENERAL)
    assert (await _answer(app, OWNER, 2)).startswith('channels.moderators = "moderators"')


async def test_app_home_follows_the_workspaces_own_owners(app: Harness) -> None:
    await app.send.event(
        {"type": "app_home_opened", "user": MEMBER, "channel": "D3", "tab": "home"}
    )
    first = await app.fake.wait_for(
        lambda: app.fake.of("views.publish", user_id=MEMBER), what="member home"
    )
    assert "Pending requests" not in str(first[0].params["view"]["blocks"])
    await app.send.command("/groupbot", f"config set owners.moderators {MEMBER}", OWNER, GENERAL)
    assert "owners.moderators is now" in await _answer(app, OWNER, 1)
    await app.send.event(
        {"type": "app_home_opened", "user": MEMBER, "channel": "D3", "tab": "home"}
    )
    again = await app.fake.wait_for(
        lambda: app.fake.of("views.publish", user_id=MEMBER)[1:], what="moderator home"
    )
    blocks = str(again[0].params["view"]["blocks"])
    assert "Pending requests" in blocks and "groupbot_settings_open" in blocks


async def test_joins_count_in_the_welcome_channel_the_workspace_chose(app: Harness) -> None:
    await app.send.command("/groupbot", "config set channels.welcome #random", OWNER, GENERAL)
    assert 'channels.welcome is now "random"' in await _answer(app, OWNER, 1)
    await app.send.event({"type": "member_joined_channel", "user": NEWBIE, "channel": RANDOM})
    await app.fake.wait_for(lambda: app.fake.dms(NEWBIE), what="welcome DM")


async def test_a_workspace_without_a_moderators_channel_is_told_by_dm(mod_app: Harness) -> None:
    h = mod_app  # the deployment's rulebook names #moderators; this workspace clears it
    await h.send.command("/groupbot", 'config set channels.moderators ""', OWNER, GENERAL)
    assert "channels.moderators" in await _answer(h, OWNER, 1)
    await h.send.event({"type": "team_join", "user": h.fake.users[NEWBIE]})
    await h.fake.wait_for(lambda: h.fake.dms(NEWBIE), what="welcome DM")
    await h.send.event(message_event(NEWBIE, GENERAL, PITCH, "1700000001.000100"))
    await h.fake.wait_for(
        lambda: [c for c in h.fake.dms(OWNER) if c.params.get("blocks")], what="owner DM"
    )
    assert not h.fake.of("chat.postMessage", channel=MODS)

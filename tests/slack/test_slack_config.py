"""`/groupbot config ...` over loopback: owners change the workspace's settings privately."""

from __future__ import annotations

import pytest
from slackharness import GENERAL, MEMBER, OWNER, Harness

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

"""The Slack app end to end over loopback: welcome, coaching, the approval queue, App Home."""

from __future__ import annotations

import itertools
import time
from typing import Any

import pytest
from slackfake import Call, FakeSlack, block_action, message_event, user, view_submission
from slackharness import (
    GENERAL,
    INTROS,
    MEMBER,
    MODS,
    NEWBIE,
    OWNER,
    PITCH,
    PROMOS,
    RANDOM,
    Harness,
)

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])

_ts = itertools.count(1)


def ts() -> str:
    """A fresh message timestamp."""
    return f"{time.time():.0f}.{next(_ts):06d}"


async def join(h: Harness, uid: str, **flags: Any) -> None:
    """team_join for a user the fake knows."""
    status, _ = await h.send.event({"type": "team_join", "user": {**h.fake.users[uid], **flags}})
    assert status == 200


async def say(h: Harness, uid: str, channel: str, text: str, **extra: Any) -> str:
    """A member's message event; returns its ts."""
    stamp = ts()
    status, _ = await h.send.event(message_event(uid, channel, text, stamp, **extra))
    assert status == 200
    return stamp


def buttons(call: Call) -> list[dict[str, Any]]:
    """Every button in a message's or view's blocks."""
    blocks = call.params.get("blocks") or call.params.get("view", {}).get("blocks", [])
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


async def held_pitch(h: Harness) -> Call:
    """Nora joins and pitches before introducing herself; returns the owner's notification."""
    await join(h, NEWBIE)
    await h.fake.wait_for(lambda: h.fake.dms(NEWBIE), what="welcome DM")
    await say(h, NEWBIE, GENERAL, PITCH)
    found = await h.fake.wait_for(
        lambda: [c for c in h.fake.dms(OWNER) if buttons(c)], what="owner notification"
    )
    return found[0]  # type: ignore[no-any-return]


# -- welcome -----------------------------------------------------------------------------------


async def test_team_join_welcomes_by_dm(app: Harness) -> None:
    await join(app, NEWBIE)
    welcome = await app.fake.wait_for(lambda: app.fake.dms(NEWBIE), what="welcome DM")
    assert "Nora" in welcome[0].params["text"]
    assert "Fake" in welcome[0].params["text"]  # the workspace's name, not its id
    assert "introductions" in welcome[0].params["text"]
    assert app.fake.of("conversations.open", users=NEWBIE)


async def test_invited_users_and_bots_are_not_welcomed(app: Harness) -> None:
    app.fake.users["UINVITED1"] = user("UINVITED1", "Ivy", is_invited_user=True)
    app.fake.users["UROBOT001"] = user("UROBOT001", "Robo", is_bot=True)
    await join(app, "UINVITED1")
    await join(app, "UROBOT001")
    await join(app, NEWBIE)
    await app.fake.wait_for(lambda: app.fake.dms(NEWBIE), what="welcome DM")
    assert not app.fake.dms("UINVITED1")
    assert not app.fake.dms("UROBOT001")


async def test_channel_join_welcomes_once_and_only_in_the_welcome_channel(app: Harness) -> None:
    await app.send.event({"type": "member_joined_channel", "user": MEMBER, "channel": RANDOM})
    await app.send.event({"type": "member_joined_channel", "user": NEWBIE, "channel": GENERAL})
    await app.fake.wait_for(lambda: app.fake.dms(NEWBIE), what="welcome DM")
    await join(app, NEWBIE)  # team_join arriving after member_joined_channel: same member
    await app.send.event({"type": "member_joined_channel", "user": NEWBIE, "channel": INTROS})
    app.fake.users["UOTHER001"] = user("UOTHER001", "Otto")
    await join(app, "UOTHER001")
    await app.fake.wait_for(lambda: app.fake.dms("UOTHER001"), what="marker welcome")
    assert len(app.fake.dms(NEWBIE)) == 1
    assert not app.fake.dms(MEMBER)


# -- coaching and the queue --------------------------------------------------------------------


async def test_promote_before_introduce_notes_and_notifies_owners(app: Harness) -> None:
    notification = await held_pitch(app)
    texts = [c.params["text"] for c in app.fake.dms(NEWBIE)]
    assert any("brightpixel" in t for t in texts[1:]), texts  # the note quotes the post
    assert any("delete your post" in t for t in texts), texts  # no admin token: asked to
    assert [b["action_id"] for b in buttons(notification)] == [
        "groupbot_approve",
        "groupbot_deny",
    ]
    assert {b["value"] for b in buttons(notification)} == {"1"}
    flat = str(notification.params["blocks"])
    assert "promote_before_introduce" in flat and "brightpixel" in flat
    assert f"<@{NEWBIE}>" in flat


async def test_owner_approves_by_button(app: Harness) -> None:
    notification = await held_pitch(app)
    dm = app.fake.dm_channel(OWNER)
    status, _ = await app.send.interaction(
        block_action(OWNER, "groupbot_approve", "1", dm, trigger=app.send.trigger())
    )
    assert status == 200
    published = await app.fake.wait_for(
        lambda: app.fake.of("chat.postMessage", channel=GENERAL), what="published post"
    )
    assert "brightpixel" in published[0].params["text"]
    assert "Nora" in published[0].params["text"]
    updated = await app.fake.wait_for(lambda: app.fake.of("chat.update"), what="update")
    ts_sent = app.fake.messages  # the update targets the notification the bot sent
    assert (updated[0].params["channel"], updated[0].params["ts"]) in ts_sent
    assert "Approved by <@UOWNER001>" in str(updated[0].params["blocks"])
    assert not buttons(updated[0])
    assert notification.params["channel"] == dm
    await app.fake.wait_for(
        lambda: any("approved" in c.params["text"] for c in app.fake.dms(NEWBIE)),
        what="member told",
    )


async def test_owner_approves_by_slash_command(mod_app: Harness) -> None:
    h = mod_app
    await join(h, NEWBIE)
    await say(h, NEWBIE, GENERAL, PITCH)
    notes = await h.fake.wait_for(
        lambda: [c for c in h.fake.of("chat.postMessage", channel=MODS) if buttons(c)],
        what="moderators' channel notification",
    )
    assert not h.fake.dms(OWNER)  # the moderators' channel, not DMs
    status, _ = await h.send.command("/groupbot", "approve #1 welcome aboard", OWNER, MODS)
    assert status == 200
    await h.fake.wait_for(lambda: h.fake.of("chat.postMessage", channel=GENERAL), what="post")
    updated = await h.fake.wait_for(lambda: h.fake.of("chat.update"), what="update")
    assert updated[0].params["ts"] == notes[0].params.get("ts") or (
        (MODS, updated[0].params["ts"]) in h.fake.messages
    )
    assert "welcome aboard" in str(updated[0].params["blocks"])


async def test_owner_denies_through_the_modal(app: Harness) -> None:
    await held_pitch(app)
    dm = app.fake.dm_channel(OWNER)
    await app.send.interaction(
        block_action(OWNER, "groupbot_deny", "1", dm, trigger=app.send.trigger())
    )
    opened = await app.fake.wait_for(lambda: app.fake.of("views.open"), what="deny modal")
    view = opened[0].params["view"]
    assert view["callback_id"] == "groupbot_deny_view"
    status, body = await app.send.interaction(
        view_submission(
            OWNER,
            view["callback_id"],
            {"reason": {"reason_input": {}}},
            "1|",
            trigger=app.send.trigger(),
        )
    )
    assert status == 200 and "errors" in body  # an empty reason is refused in the modal
    reason = {"reason": {"reason_input": {"type": "plain_text_input", "value": "Intro first"}}}
    status, _ = await app.send.interaction(
        view_submission(
            OWNER, view["callback_id"], reason, view["private_metadata"], trigger=app.send.trigger()
        )
    )
    assert status == 200
    await app.fake.wait_for(
        lambda: any("Intro first" in c.params["text"] for c in app.fake.dms(NEWBIE)),
        what="denial DM",
    )
    updated = await app.fake.wait_for(lambda: app.fake.of("chat.update"), what="update")
    assert "Denied by <@UOWNER001>: Intro first" in str(updated[0].params["blocks"])
    assert not app.fake.of("chat.postMessage", channel=GENERAL)


async def test_non_owner_pressing_approve_is_refused(mod_app: Harness) -> None:
    h = mod_app
    await join(h, NEWBIE)
    await say(h, NEWBIE, GENERAL, PITCH)
    await h.fake.wait_for(lambda: h.fake.of("chat.postMessage", channel=MODS), what="notice")
    await h.send.interaction(
        block_action(MEMBER, "groupbot_approve", "1", MODS, trigger=h.send.trigger())
    )
    refused = await h.fake.wait_for(
        lambda: h.fake.of("chat.postEphemeral", channel=MODS, user=MEMBER), what="refusal"
    )
    assert "Only owners and moderators can approve" in refused[0].params["text"]
    assert not h.fake.of("chat.postMessage", channel=GENERAL)
    assert not h.fake.of("chat.update")


async def test_share_opens_a_modal_and_queues_a_request(app: Harness) -> None:
    status, _ = await app.send.command("/share", "my new course", MEMBER, GENERAL)
    assert status == 200
    opened = await app.fake.wait_for(lambda: app.fake.of("views.open"), what="share modal")
    view = opened[0].params["view"]
    assert view["callback_id"] == "groupbot_share_view"
    values = {
        "channel": {
            "channel_select": {"type": "conversations_select", "selected_conversation": PROMOS}
        },
        "text": {"text_input": {"type": "plain_text_input", "value": "My new course: learn SQL"}},
    }
    await app.send.interaction(
        view_submission(MEMBER, view["callback_id"], values, trigger=app.send.trigger())
    )
    notice = await app.fake.wait_for(
        lambda: [c for c in app.fake.dms(OWNER) if buttons(c)], what="owner notification"
    )
    assert "learn SQL" in str(notice[0].params["blocks"])
    await app.fake.wait_for(
        lambda: any("Request #1" in c.params["text"] for c in app.fake.dms(MEMBER)),
        what="member thanked",
    )
    await app.send.command("/groupbot", "approve 1", OWNER, GENERAL)
    posted = await app.fake.wait_for(
        lambda: app.fake.of("chat.postMessage", channel=PROMOS), what="published in promotions"
    )
    assert "learn SQL" in posted[0].params["text"]


# -- App Home ----------------------------------------------------------------------------------


async def test_app_home_for_an_owner(app: Harness) -> None:
    await held_pitch(app)
    await app.send.event({"type": "app_home_opened", "user": OWNER, "channel": "D1", "tab": "home"})
    home = await app.fake.wait_for(
        lambda: app.fake.of("views.publish", user_id=OWNER), what="owner home"
    )
    view = home[0].params["view"]
    assert view["type"] == "home"
    text = str(view["blocks"])
    assert "Pending requests (1)" in text and "Community health" in text
    assert {b["action_id"] for b in buttons(home[0])} >= {"groupbot_approve", "groupbot_deny"}
    await app.send.interaction(
        block_action(OWNER, "groupbot_approve", "1", None, trigger=app.send.trigger())
    )
    await app.fake.wait_for(lambda: app.fake.of("chat.postMessage", channel=GENERAL), what="post")
    again = await app.fake.wait_for(
        lambda: app.fake.of("views.publish", user_id=OWNER)[1:], what="home republished"
    )
    assert "Pending requests (0)" in str(again[0].params["view"]["blocks"])


async def test_app_home_for_a_member(app: Harness) -> None:
    await held_pitch(app)
    await app.send.event(
        {"type": "app_home_opened", "user": NEWBIE, "channel": "D2", "tab": "home"}
    )
    home = await app.fake.wait_for(
        lambda: app.fake.of("views.publish", user_id=NEWBIE), what="member home"
    )
    text = str(home[0].params["view"]["blocks"])
    assert "haven't introduced yourself" in text
    assert "Promotion budget" in text and "#1 for #general" in text
    assert "Pending requests" not in text
    assert [b["action_id"] for b in buttons(home[0])] == ["groupbot_share_open"]
    await app.send.interaction(
        block_action(NEWBIE, "groupbot_share_open", "share", None, trigger=app.send.trigger())
    )
    await app.fake.wait_for(lambda: app.fake.of("views.open"), what="share modal from home")


# -- commands ----------------------------------------------------------------------------------


async def test_help_is_answered_in_the_ack_and_rules_only_for_owners(app: Harness) -> None:
    status, body = await app.send.command("/groupbot", "help", MEMBER)
    assert status == 200 and "/groupbot approve" in body and "/share" in body
    status, _ = await app.send.command("/groupbot", "rules", MEMBER)
    assert status == 200
    answer = await app.fake.wait_for(
        lambda: app.fake.of("chat.postEphemeral", user=MEMBER), what="refusal"
    )
    assert "Only owners and moderators" in answer[0].params["text"]
    await app.send.command("/groupbot", "rules", OWNER)
    answer = await app.fake.wait_for(
        lambda: app.fake.of("chat.postEphemeral", user=OWNER), what="settings"
    )
    assert "* = set for this community" in answer[0].params["text"]


async def test_errors_say_what_to_type(app: Harness) -> None:
    await app.send.command("/groupbot", "approve", OWNER)
    answer = await app.fake.wait_for(
        lambda: app.fake.of("chat.postEphemeral", user=OWNER), what="usage"
    )
    assert "approve ID" in answer[0].params["text"]
    await app.send.command("/groupbot", "frobnicate", MEMBER)
    answer = await app.fake.wait_for(
        lambda: app.fake.of("chat.postEphemeral", user=MEMBER), what="unknown command"
    )
    assert "Try:" in answer[0].params["text"]


async def test_forget_takes_a_mention(app: Harness) -> None:
    await join(app, NEWBIE)
    await app.fake.wait_for(lambda: app.fake.dms(NEWBIE), what="welcome")
    await app.send.command("/groupbot", f"forget <@{NEWBIE}|nora>", OWNER)
    answer = await app.fake.wait_for(
        lambda: app.fake.of("chat.postEphemeral", user=OWNER), what="forgotten"
    )
    assert f"Forgot {NEWBIE}" in answer[0].params["text"]


# -- delivery contract -------------------------------------------------------------------------


async def test_retried_event_produces_no_duplicate(app: Harness) -> None:
    await join(app, NEWBIE)
    await app.fake.wait_for(lambda: app.fake.dms(NEWBIE), what="welcome")
    stamp = ts()
    event = {
        "type": "message",
        "channel": GENERAL,
        "channel_type": "channel",
        "user": NEWBIE,
        "text": PITCH,
        "ts": stamp,
    }
    assert (await app.send.event(event, event_id="EvPITCH01"))[0] == 200
    assert (await app.send.event(event, event_id="EvPITCH01", retry=1))[0] == 200
    await app.fake.wait_for(lambda: [c for c in app.fake.dms(OWNER) if buttons(c)], what="n")
    assert (await app.send.event(event, event_id="EvPITCH01", retry=2))[0] == 200
    app.fake.users["UOTHER001"] = user("UOTHER001", "Otto")
    await join(app, "UOTHER001")
    await app.fake.wait_for(lambda: app.fake.dms("UOTHER001"), what="marker welcome")
    await app.service.runner.worker.drain()
    notes = [c for c in app.fake.dms(NEWBIE) if "brightpixel" in c.params["text"]]
    assert len(notes) == 1
    assert len([c for c in app.fake.dms(OWNER) if buttons(c)]) == 1


async def test_bots_own_messages_and_system_subtypes_are_ignored(app: Harness) -> None:
    await join(app, NEWBIE)
    await app.fake.wait_for(lambda: app.fake.dms(NEWBIE), what="welcome")
    await say(app, NEWBIE, GENERAL, PITCH, subtype="channel_join")
    await say(app, NEWBIE, GENERAL, PITCH, bot_id="BOTHER001")
    await say(app, "UBOTBOT01", GENERAL, PITCH)
    await say(app, NEWBIE, INTROS, "Hi all, I'm Nora, a designer from Lisbon. Happy to be here!")
    await say(app, NEWBIE, GENERAL, PITCH)  # introduced now: no promote-before-introduce hold
    app.fake.users["UOTHER001"] = user("UOTHER001", "Otto")
    await join(app, "UOTHER001")
    await app.fake.wait_for(lambda: app.fake.dms("UOTHER001"), what="marker welcome")
    await app.service.runner.worker.drain()
    assert not [c for c in app.fake.dms(OWNER) if buttons(c)]


async def test_edited_post_is_re_evaluated(app: Harness) -> None:
    await join(app, NEWBIE)
    await app.fake.wait_for(lambda: app.fake.dms(NEWBIE), what="welcome")
    stamp = await say(app, NEWBIE, GENERAL, "hello there")
    edit = {
        "type": "message",
        "subtype": "message_changed",
        "channel": GENERAL,
        "channel_type": "channel",
        "hidden": True,
        "ts": ts(),
        "event_ts": ts(),
        "message": {"type": "message", "user": NEWBIE, "text": PITCH, "ts": stamp},
        "previous_message": {"type": "message", "user": NEWBIE, "text": "hello there"},
    }
    await app.send.event(edit)
    await app.fake.wait_for(
        lambda: any("brightpixel" in c.params["text"] for c in app.fake.dms(NEWBIE)),
        what="note after the edit",
    )


async def test_rate_limited_call_is_retried_after_retry_after(app: Harness) -> None:
    app.fake.script(
        "chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, **{"Retry-After": "0"}
    )
    await join(app, NEWBIE)
    await app.fake.wait_for(
        lambda: len(app.fake.dms(NEWBIE)) == 2, what="the welcome retried after the 429"
    )
    assert not app.fake.scripted["chat.postMessage"]


async def test_note_falls_back_to_an_ephemeral_when_dms_fail(app: Harness) -> None:
    app.fake.no_dm.add(NEWBIE)
    await join(app, NEWBIE)
    await say(app, NEWBIE, GENERAL, PITCH)
    note = await app.fake.wait_for(
        lambda: app.fake.of("chat.postEphemeral", channel=GENERAL, user=NEWBIE), what="ephemeral"
    )
    assert "brightpixel" in note[0].params["text"]


async def test_admin_token_deletes_held_posts(fake: FakeSlack, database_url: str) -> None:
    from slackfake import ADMIN_TOKEN
    from slackharness import running

    async with running(fake, database_url, slack_admin_user_token=ADMIN_TOKEN) as h:
        await join(h, NEWBIE)
        stamp = await say(h, NEWBIE, GENERAL, PITCH)
        deleted = await h.fake.wait_for(lambda: h.fake.of("chat.delete"), what="delete")
        assert deleted[0].params == {"channel": GENERAL, "ts": stamp}
        assert deleted[0].token == ADMIN_TOKEN
        await h.fake.wait_for(
            lambda: h.fake.of("chat.postMessage", channel=h.fake.dm_channel(OWNER)), what="n"
        )
        assert not any("delete your post" in c.params["text"] for c in h.fake.dms(NEWBIE))

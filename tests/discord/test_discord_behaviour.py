"""The bot's behaviour in an in-process simulated Discord (simcord)."""

from __future__ import annotations

from typing import Any

import discord
import pytest
import simcord
from discordworld import World, make_client
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.core.rulebook import Rulebook
from groupbot.service.bot import Bot
from groupbot.storage.models import Request

PROMO = "Check out my new course at https://mycourse.example.com and use my code SAVE20!"
HELLO = "Hi all, I am Ann, a designer from Lisbon. Happy to be here!"


def dms(member: simcord.MemberActor) -> list[str]:
    """What the bot said to a member in private."""
    return [m.content for m in member.user.dm_channel.history()]


def answers(result: simcord.InteractionResult) -> str:
    """Every ephemeral word an interaction got back."""
    parts = [result.response.content] if result.response is not None else []
    parts += [f.content for f in result.followups]
    return "\n".join(p for p in parts if p)


async def newcomer(world: World, name: str = "ann") -> simcord.MemberActor:
    """A member who just joined (and was welcomed)."""
    member = world.guild.add_member(world.env.create_user(name))
    await world.env.settle()
    return member


async def held_request(world: World) -> tuple[simcord.MemberActor, discord.Message]:
    """A newcomer promotes before introducing: note, hold, owners notified."""
    ann = await newcomer(world)
    await ann.send(world.general, PROMO)
    notice = world.moderators.last_message
    assert notice is not None and notice.embeds
    return ann, notice


async def requests(engine: AsyncEngine) -> list[tuple[int, str, str | None]]:
    """(id, status, decided_by) of every request."""
    async with engine.connect() as conn:
        rows = await conn.execute(select(Request.id, Request.status, Request.decided_by))
        return [tuple(r) for r in rows]  # type: ignore[misc]


async def test_join_is_welcomed_in_the_welcome_channel(world: World) -> None:
    ann = await newcomer(world)
    last = world.general.last_message
    assert last is not None
    assert ann.mention in last.content
    assert "welcome to Makers" in last.content


async def test_bots_are_not_welcomed_and_bot_posts_ignored(world: World) -> None:
    before = len(world.general.history())
    robot = world.guild.add_member(world.env.create_user("robot", bot=True))
    await world.env.settle()
    await robot.send(world.general, PROMO)
    assert len(world.general.history()) == before + 1  # only the bot's own post
    webhook = world.guild.create_webhook(world.general)
    await webhook.send(PROMO)
    assert world.moderators.last_message is None


async def test_promotion_before_intro_is_noted_held_and_queued(
    world: World, engine: AsyncEngine
) -> None:
    ann, notice = await held_request(world)
    assert any("You posted" in text and "SAVE20" in text for text in dms(ann))
    assert all(PROMO not in m.content for m in world.general.history())  # removed
    embed = notice.embeds[0]
    assert embed.title is not None and "Request #1" in embed.title
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Member"] == ann.mention
    assert fields["Rule"] == "promote_before_introduce"
    assert "example.com" in (fields.get("Evidence") or "")
    ids = [c["custom_id"] for row in notice.components for c in row.to_dict()["components"]]
    assert ids == ["groupbot:approve:1", "groupbot:deny:1"]
    assert await requests(engine) == [(1, "pending", None)]


async def test_introduction_first_then_promotion_is_not_held(world: World) -> None:
    ann = await newcomer(world)
    await ann.send(world.intros, HELLO)
    await ann.send(world.general, "I wrote about my week here: https://ann.example.com/week")
    assert world.moderators.last_message is None


async def test_edit_into_a_promotion_is_re_evaluated(world: World) -> None:
    ann = await newcomer(world)
    message = await ann.send(world.general, "Hello there")
    assert world.moderators.last_message is None
    await ann.edit(message, PROMO)
    notice = world.moderators.last_message
    assert notice is not None and notice.embeds


async def test_thread_posts_use_the_parent_channel_name(world: World) -> None:
    ann = await newcomer(world)
    starter = await ann.send(world.general, "Starting a thread")
    thread = await starter.create_thread(name="chat")
    handle = world.guild.channels["general"].threads[0]
    assert handle.id == thread.id
    await ann.send(handle, PROMO)
    notice = world.moderators.last_message
    assert notice is not None and "#general" in (notice.embeds[0].title or "")


async def test_closed_dms_get_a_short_channel_reply_that_disappears(world: World) -> None:
    ann = await newcomer(world)
    dm = ann.user.dm_channel
    world.env.inject_error(
        "POST",
        f"/channels/{dm.id}/messages",
        status=403,
        code=50007,
        message="Cannot send messages to this user",
        times=None,
    )
    await ann.send(world.general, PROMO)
    replies = [m for m in world.general.history() if "DMs are closed" in m.content]
    assert len(replies) == 1 and ann.mention in replies[0].content
    await world.env.advance_time(130)
    assert not [m for m in world.general.history() if "DMs are closed" in m.content]


async def test_owner_approves_by_command(world: World, engine: AsyncEngine) -> None:
    ann, _ = await held_request(world)
    result = await world.owner.slash(world.general, "approve", request="1", note="Welcome!")
    assert result.ephemeral
    assert "Approved request #1" in answers(result)
    published = world.general.last_message
    assert published is not None and published.embeds
    assert "SAVE20" in (published.embeds[0].description or "")
    assert "Shared by ann" in (published.embeds[0].author.name or "")
    assert any("approved request #1" in text for text in dms(ann))
    edited = world.moderators.last_message
    assert edited is not None and not edited.components
    decision = {f.name: f.value for f in edited.embeds[0].fields}["Decision"]
    assert decision.startswith(f"Approved by {world.owner.mention}")
    assert await requests(engine) == [(1, "approved", str(world.owner.id))]


async def test_refusals_unknown_id_second_decision_and_non_owner(world: World) -> None:
    await held_request(world)
    unknown = await world.owner.slash(world.general, "approve", request="99")
    assert "There is no request #99" in answers(unknown)
    await world.owner.slash(world.general, "deny", request="#1", reason="Introduce yourself")
    again = await world.owner.slash(world.general, "approve", request="1")
    assert "already denied" in answers(again)
    # A plain member allowed to see /approve (a guild override) is still refused by groupbot.
    bob = await newcomer(world, "bob")
    command = world.env.backend.find_command("approve", None, type=1)
    world.guild.set_command_permissions(int(command["id"]), {bob: True})
    refused = await bob.slash(world.general, "approve", request="1")
    assert "Only owners and moderators can approve requests" in answers(refused)
    assert refused.ephemeral


async def test_owner_commands_are_hidden_from_members(world: World) -> None:
    ann = await newcomer(world)
    visible = ann.available_commands(world.general)
    assert "share" in visible and "withdraw" in visible
    assert not {"approve", "deny", "queue", "groupbot stats"} & set(visible)


async def test_share_modal_queues_a_request(world: World) -> None:
    ann = await newcomer(world)
    shown = await ann.slash(world.general, "share")
    assert shown.modal is not None
    result = await ann.submit_modal(
        shown, {"channel": "#promotions", "text": "My talk on Friday: https://talk.example.com"}
    )
    assert "Request #1 is with the owners" in answers(result)
    notice = world.moderators.last_message
    assert notice is not None and "#promotions" in (notice.embeds[0].title or "")
    queue = await world.owner.slash(world.general, "queue")
    assert "#1 ann → #promotions (asked first)" in answers(queue)


async def test_buttons_work_after_a_restart(
    world: World, engine: AsyncEngine, rulebook: Rulebook
) -> None:
    ann, _ = await held_request(world)
    fresh = Bot(engine, rulebook, platform="discord")
    await fresh.start()
    await world.env.restart_bot(make_client(fresh, rulebook, world.holder))
    notice = world.moderators.last_message
    assert notice is not None
    result = await world.owner.click(notice, label="Approve")
    assert "Approved request #1" in answers(result)
    assert world.general.last_message is not None
    assert "SAVE20" in (world.general.last_message.embeds[0].description or "")
    assert any("approved request #1" in text for text in dms(ann))
    edited = world.moderators.last_message
    assert edited is not None and not edited.components
    await fresh.close()


async def test_deny_button_opens_a_modal_for_the_reason(world: World, engine: AsyncEngine) -> None:
    ann, notice = await held_request(world)
    shown = await world.owner.click(notice, label="Deny")
    assert shown.modal is not None
    result = await world.owner.submit_modal(shown, {"reason": "Please introduce yourself first"})
    assert "Denied request #1" in answers(result)
    assert any("Please introduce yourself first" in text for text in dms(ann))
    assert await requests(engine) == [(1, "denied", str(world.owner.id))]
    edited = world.moderators.last_message
    assert edited is not None and not edited.components


async def test_non_owner_buttons_are_refused(world: World, engine: AsyncEngine) -> None:
    _, notice = await held_request(world)
    sam = world.guild.add_member(world.env.create_user("sam"), roles=[world.guild.roles["Helpers"]])
    await world.env.settle()
    approve = await sam.click(notice, label="Approve")
    assert "Only owners and moderators can approve requests" in answers(approve)
    deny = await sam.click(notice, label="Deny")
    assert deny.modal is None
    assert "Only owners and moderators can deny requests" in answers(deny)
    assert await requests(engine) == [(1, "pending", None)]


async def test_replies_and_mentions_reach_the_engine_as_conversation(
    world: World, core: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str | None, tuple[str, ...], str]] = []
    place = core.conversations.place

    def spy(post: Any, *, remember: bool = True) -> Any:
        seen.append((post.reply_to, post.mentions, post.text))
        return place(post, remember=remember)

    monkeypatch.setattr(core.conversations, "place", spy)
    ann = await newcomer(world)
    question = await world.owner.send(world.general, "Where do I find the pricing guide?")
    await ann.send(
        world.general,
        f"{world.owner.mention} here: https://docs.example/pricing",
        reply_to=question,
    )
    await world.env.settle()
    asked, answered = seen[-2], seen[-1]
    assert asked[:2] == (None, ())
    assert answered[0] == str(question.id) and answered[1] == (str(world.owner.id),)

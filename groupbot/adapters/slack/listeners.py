"""Bolt listeners: translate, hand the event to the engine, and answer Slack once it is stored."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext

from groupbot.adapters.inflight import InFlight
from groupbot.adapters.slack.home import Home
from groupbot.adapters.slack.settings_view import (
    FIELDS,
    SETTINGS_OPEN,
    SETTINGS_VIEW,
    settings_modal,
    submitted,
    validate,
)
from groupbot.adapters.slack.translate import Translator, command_args
from groupbot.adapters.slack.views import (
    APPROVE,
    DENY,
    DENY_VIEW,
    SHARE_OPEN,
    SHARE_VIEW,
    deny_modal,
    share_modal,
)
from groupbot.core.events import Event
from groupbot.core.overrides import show_value
from groupbot.core.owners import is_owner
from groupbot.core.rulebook import Rulebook
from groupbot.service.bot import Bot
from groupbot.service.commands import COMMANDS
from groupbot.service.metrics import ACTIONS, EVENT_SECONDS, EVENTS

__all__ = ["BotJoined", "Listeners", "help_text"]

log = logging.getLogger(__name__)

# The bot itself was added to a channel: (team, the member_joined_channel event, bot user id).
BotJoined = Callable[[str, dict[str, Any], str | None], None]

RECEIVED = "groupbot_received"
SETTINGS_REFUSED = "Only owners and moderators can see or change settings."


def help_text() -> str:
    """What /groupbot and /share do, in Slack's syntax."""
    lines = [
        f"/groupbot {usage}" for name, usage in COMMANDS.items() if name not in ("help", "share")
    ]
    lines += [
        "/groupbot rules — this workspace's settings (owners)",
        "/groupbot settings — change the main settings in a form (owners)",
        "/groupbot help — this list",
        "/share — ask the owners before sharing a promotion (a form opens)",
    ]
    return "groupbot commands:\n" + "\n".join(lines)


def _team(context: AsyncBoltContext, body: dict[str, Any]) -> str:
    team = context.team_id or body.get("team_id") or (body.get("team") or {}).get("id")
    return str(team or "")


class Listeners:
    """Every Bolt listener groupbot registers, sharing one engine."""

    def __init__(
        self,
        bot: Bot,
        rulebook: Rulebook,
        translator: Translator,
        home: Home,
        bot_joined: BotJoined | None = None,
    ) -> None:
        self.bot = bot
        self.rulebook = rulebook
        self.translator = translator
        self.home = home
        self.bot_joined = bot_joined  # reads the channel's past (no event for the engine)
        # Events acknowledged to Slack but not yet handed to the engine: shutdown waits for them.
        self.in_flight = InFlight()

    def register(self, app: AsyncApp) -> None:
        """Attach the middleware and listeners to a Bolt app."""
        app.middleware(self._stamp)
        app.event("message")(self.on_message)
        app.event("team_join")(self.on_team_join)
        app.event("member_joined_channel")(self.on_channel_join)
        app.event("app_home_opened")(self.on_home_opened)
        app.event("user_change")(self.on_user_change)
        app.command("/groupbot")(self.on_groupbot)
        app.command("/share")(self.on_share)
        app.action(APPROVE)(self.on_approve)
        app.action(DENY)(self.on_deny)
        app.action(SHARE_OPEN)(self.on_share_open)
        app.view(DENY_VIEW)(self.on_deny_view)
        app.view(SHARE_VIEW)(self.on_share_view)
        app.action(SETTINGS_OPEN)(self.on_settings_open)
        app.view(SETTINGS_VIEW)(self.on_settings_view)

    async def _stamp(self, context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
        context[RECEIVED] = time.perf_counter()
        await next()

    async def submit(self, context: AsyncBoltContext, kind: str, event: Event | None) -> None:
        """Hand one event to the engine (idempotent by its id) and count it."""
        if event is None:
            EVENTS.labels(platform="slack", type=f"{kind}_ignored").inc()
            return
        async with self.in_flight:
            if event.community not in self.bot.community_names:
                name = await self.translator.directory.team_name(event.community)
                self.bot.community_names[event.community] = name
            actions = await self.bot.handle(event)
        EVENTS.labels(platform="slack", type=kind).inc()
        for action in actions:
            ACTIONS.labels(action=action.kind).inc()
        started = context.get(RECEIVED)
        if isinstance(started, float):
            EVENT_SECONDS.observe(time.perf_counter() - started)

    # -- Events API ------------------------------------------------------------------------

    async def on_message(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """A post or an edit in a channel."""
        async with self.in_flight:
            team = _team(context, body)
            found = await self.translator.message(
                team, str(body.get("event_id", "")), event, context.bot_user_id
            )
            kind = "message_edited" if event.get("subtype") == "message_changed" else "message"
            await self.submit(context, kind, found)

    async def on_team_join(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """Someone joined the workspace."""
        async with self.in_flight:
            team = _team(context, body)
            found = await self.translator.team_join(team, event, body.get("event_time"))
            await self.submit(context, "team_join", found)

    async def on_channel_join(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """Someone joined a channel the bot is in (or the bot joined one)."""
        async with self.in_flight:
            team = _team(context, body)
            me = context.bot_user_id
            if self.bot_joined is not None and me and event.get("user") == me:
                self.bot_joined(team, event, me)
            found = await self.translator.channel_join(
                team, event, context.bot_user_id, body.get("event_time")
            )
            await self.submit(context, "member_joined_channel", found)

    async def on_user_change(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """A member's profile or roles changed: their rights are asked of Slack afresh."""
        user = event.get("user")
        if isinstance(user, dict) and isinstance(user.get("id"), str):
            self.translator.directory.forget_user(_team(context, body), user["id"])
        EVENTS.labels(platform="slack", type="user_change").inc()

    async def on_home_opened(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """Publish the Home tab whenever a user opens it."""
        if event.get("tab", "home") == "home" and isinstance(event.get("user"), str):
            await self.home.publish(_team(context, body), event["user"])

    # -- slash commands --------------------------------------------------------------------

    async def on_groupbot(
        self, ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """/groupbot SUBCOMMAND ...: help answered here, everything else by the engine."""
        async with self.in_flight:  # a shutdown waits for this to finish
            args = command_args(str(command.get("text") or ""))
            name = args[0].lower() if args else "help"
            if name == "help":
                await ack(text=help_text())
                return
            if name == "rules":  # the community's settings, for its owners only
                name, args = "config", ("config", "show")
            if name == "share" and len(args) < 3:
                await ack()
                await self._open_share(context, command, " ".join(args[1:]))
                return
            if name == "settings":  # the App Home's settings modal, straight from the command
                team, user = _team(context, command), str(command["user_id"])
                if not await self._may_change_settings(team, user):
                    await ack(text=SETTINGS_REFUSED)
                    return
                await ack()
                await self._open_settings(context, team, user, command)
                return
            await ack()
            found = await self.translator.command(
                _team(context, command),
                str(command["user_id"]),
                f"cmd:{command['trigger_id']}",
                name,
                args[1:],
                command.get("channel_id"),
            )
            await self.submit(context, "command", found)

    async def on_share(
        self, ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """/share opens the share form (prefilled with whatever was typed)."""
        await ack()
        await self._open_share(context, command, str(command.get("text") or ""))

    async def _open_share(self, context: AsyncBoltContext, body: dict[str, Any], text: str) -> None:
        channel = str(body.get("channel_id") or "")
        initial = channel if channel[:1] in ("C", "G") else None
        client = context.client
        assert client is not None
        await client.views_open(
            trigger_id=body["trigger_id"], view=share_modal(text.strip(), initial)
        )

    # -- buttons and modals ----------------------------------------------------------------

    async def on_approve(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
    ) -> None:
        """Approve button: the engine checks the clicker's rights on the server."""
        async with self.in_flight:  # a shutdown waits for this to finish
            await ack()
            team, user = _team(context, body), str(body["user"]["id"])
            channel = (body.get("channel") or {}).get("id")
            found = await self.translator.command(
                team, user, f"act:{body['trigger_id']}", "approve", (str(action["value"]),), channel
            )
            await self.submit(context, "button", found)
            if (body.get("view") or {}).get("type") == "home":
                await self.home.publish(team, user)

    async def on_deny(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
    ) -> None:
        """Deny button: ask for the reason in a modal."""
        await ack()
        origin = (body.get("channel") or {}).get("id") or (
            "home" if (body.get("view") or {}).get("type") == "home" else ""
        )
        client = context.client
        assert client is not None
        await client.views_open(
            trigger_id=body["trigger_id"], view=deny_modal(int(action["value"]), origin)
        )

    async def on_share_open(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """Request to share (App Home): the share form."""
        await ack()
        client = context.client
        assert client is not None
        await client.views_open(trigger_id=body["trigger_id"], view=share_modal())

    async def on_deny_view(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        view: dict[str, Any],
        context: AsyncBoltContext,
    ) -> None:
        """The reason was given: `deny ID REASON` on behalf of the owner who submitted it."""
        async with self.in_flight:  # a shutdown waits for this to finish
            values = view["state"]["values"]
            reason = str((values.get("reason") or {}).get("reason_input", {}).get("value") or "")
            if not reason.strip():
                await ack(response_action="errors", errors={"reason": "Members deserve a reason."})
                return
            await ack()
            request, _, origin = str(view.get("private_metadata") or "").partition("|")
            team, user = _team(context, body), str(body["user"]["id"])
            channel = origin if origin and origin != "home" else None
            found = await self.translator.command(
                team, user, f"view:{view['id']}", "deny", (request, reason.strip()), channel
            )
            await self.submit(context, "modal", found)
            if origin == "home":
                await self.home.publish(team, user)

    async def on_share_view(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        view: dict[str, Any],
        context: AsyncBoltContext,
    ) -> None:
        """The share form: `share CHANNEL TEXT` on behalf of the member."""
        async with self.in_flight:  # a shutdown waits for this to finish
            values = view["state"]["values"]
            channel = (values.get("channel") or {}).get("channel_select", {})
            channel_id = channel.get("selected_conversation") or channel.get("selected_channel")
            text = str((values.get("text") or {}).get("text_input", {}).get("value") or "").strip()
            errors = {}
            if not channel_id:
                errors["channel"] = "Pick the channel you'd like to share in."
            if not text:
                errors["text"] = "Tell the owners what you'd like to share."
            if errors:
                await ack(response_action="errors", errors=errors)
                return
            await ack()
            team, user = _team(context, body), str(body["user"]["id"])
            name = await self.translator.directory.channel_name(team, str(channel_id))
            found = await self.translator.command(
                team, user, f"view:{view['id']}", "share", (name, text), None
            )
            await self.submit(context, "modal", found)

    # -- settings (App Home) -----------------------------------------------------------------

    async def on_settings_open(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """Settings (App Home): the modal, for owners and moderators only."""
        await ack()
        await self._open_settings(context, _team(context, body), str(body["user"]["id"]), body)

    async def _may_change_settings(self, team: str, user: str) -> bool:
        """Owners and moderators only (the core checks every change again)."""
        info = await self.translator.directory.user(team, user)
        return is_owner(self.bot.communities.rulebook_of(team), user, info.roles)

    async def _open_settings(
        self, context: AsyncBoltContext, team: str, user: str, body: dict[str, Any]
    ) -> None:
        """Open the settings modal for an owner or moderator; nothing for anyone else."""
        if not await self._may_change_settings(team, user):
            return
        rulebook = self.bot.communities.rulebook_of(team)
        ids: dict[str, list[str]] = {}
        for key, names in (
            ("channels.intro", rulebook.channels.intro),
            ("channels.moderators", (rulebook.channels.moderators,)),
        ):
            found = [await self.translator.directory.channel_id(team, n) for n in names if n]
            ids[key] = [i for i in found if i]
        client = context.client
        assert client is not None
        await client.views_open(trigger_id=body["trigger_id"], view=settings_modal(rulebook, ids))

    async def on_settings_view(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        view: dict[str, Any],
        context: AsyncBoltContext,
    ) -> None:
        """Saved: each changed setting is `config set` on behalf of the owner; errors inline."""
        async with self.in_flight:  # a shutdown waits for this to finish
            team, user = _team(context, body), str(body["user"]["id"])
            values = view["state"]["values"]
            chosen = [
                *(
                    (values.get("channels-intro") or {})
                    .get("value", {})
                    .get("selected_conversations")
                    or []
                ),
                (values.get("channels-moderators") or {})
                .get("value", {})
                .get("selected_conversation"),
            ]
            directory = self.translator.directory
            names = {c: await directory.channel_name(team, str(c)) for c in chosen if c}
            communities = self.bot.communities
            errors, changes = validate(
                communities.rulebook,
                communities.overrides_of(team),
                submitted(values, names),
                communities.rulebook_of(team),
            )
            if errors:
                await ack(response_action="errors", errors=errors)
                return
            await ack()
            for key in (k for k, _ in FIELDS if k in changes):
                args = ("set", key, show_value(changes[key]))
                found = await self.translator.command(
                    team, user, f"view:{view['id']}:{key}", "config", args, None
                )
                await self.submit(context, "modal", found)
            await self.home.publish(team, user)

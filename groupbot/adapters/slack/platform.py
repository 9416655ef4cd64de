"""The outbox's Slack side: DMs, posts, holds, owner notifications and ephemeral answers."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.adapters.slack.clients import Clients
from groupbot.adapters.slack.directory import Directory
from groupbot.adapters.slack.errors import error_code, slack_errors
from groupbot.adapters.slack.views import decided_blocks, notification_blocks
from groupbot.core.actions import COMMAND_ANSWERS
from groupbot.core.ports import DeliveryError
from groupbot.core.rulebook import Rulebook
from groupbot.queries import request_detail
from groupbot.storage.repository import platform_messages, remember_platform_message

__all__ = ["ChannelPacer", "SlackPlatform"]

log = logging.getLogger(__name__)

HOLD_TEXT = (
    "While the owners look at {what}, could you please delete your post in "
    "#{channel}? Slack doesn't let me remove members' messages. If the owners approve it, "
    "I'll share it for you with your name on it."
)


class ChannelPacer:
    """Keeps chat.postMessage to about one a second per channel (Slack's limit), short bursts ok."""

    def __init__(self, rate: float = 1.0, burst: int = 3) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}

    def wait(self, team: str, channel: str) -> float:
        """Take a slot now and return 0, or return how long until one is free."""
        now = time.monotonic()
        tokens, last = self._buckets.get((team, channel), (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if tokens < 1.0:
            self._buckets[(team, channel)] = (tokens, now)
            return (1.0 - tokens) / self.rate
        self._buckets[(team, channel)] = (tokens - 1.0, now)
        return 0.0


class SlackPlatform:
    """Implements the Platform port (and DeliversActions) over the Slack Web API."""

    def __init__(
        self,
        db: AsyncEngine,
        rulebook: Rulebook,
        clients: Clients,
        directory: Directory,
        pacer: ChannelPacer | None = None,
    ) -> None:
        self.db = db
        self.rulebook = rulebook
        self.clients = clients
        self.directory = directory
        self.pacer = pacer or ChannelPacer()

    # -- the port --------------------------------------------------------------------------

    async def send_direct(self, community: str, member: str, text: str) -> None:
        """A DM from the bot (conversations.open + chat.postMessage)."""
        async with slack_errors():
            channel = await self.directory.dm_channel(community, member)
            client = await self.clients.bot(community)
            await client.chat_postMessage(channel=channel, text=text)

    async def post(self, community: str, channel: str, text: str) -> None:
        """A post in a channel named by the rulebook or a request."""
        async with slack_errors():
            channel_id = await self._channel(community, channel)
            await self._pace(community, channel_id)
            client = await self.clients.bot(community)
            await client.chat_postMessage(channel=channel_id, text=text)

    async def remove(self, community: str, channel: str, message: str, member: str) -> None:
        """Delete a held post with the admin token, or ask its author to delete it."""
        await self._hold(community, channel, message, member, None)

    async def _hold(
        self, community: str, channel: str, message: str, member: str, request: Any
    ) -> None:
        admin = self.clients.admin()
        if admin is None:
            what = f"request #{request}" if request else "your request"
            await self.send_direct(community, member, HOLD_TEXT.format(what=what, channel=channel))
            return
        async with slack_errors():
            channel_id = await self._channel(community, channel)
            try:
                await admin.chat_delete(channel=channel_id, ts=message)
            except SlackApiError as exc:
                if error_code(exc) != "message_not_found":  # already gone: done
                    raise

    async def notify_owners(self, community: str, payload: dict[str, Any]) -> None:
        """Notifications with buttons, reminders, alerts, and decided copies updated in place."""
        action = payload.get("action")
        if action == "request_decided":
            await self._update_copies(community, payload)
            return
        request = payload.get("request")
        row = await request_detail(self.db, community, int(request)) if request else None
        text = str(payload.get("text", ""))
        blocks = notification_blocks(row, payload) if request else None
        done: set[str] = set()
        if action == "owners_notified" and request:
            done = {ch for ch, _ in await platform_messages(self.db, community, int(request))}
        failures: list[DeliveryError] = []
        for channel in await self._owner_channels(community, payload):
            if channel in done:
                continue  # a retry: this copy was already sent
            try:
                async with slack_errors():
                    await self._pace(community, channel)
                    client = await self.clients.bot(community)
                    sent = await client.chat_postMessage(channel=channel, text=text, blocks=blocks)
            except DeliveryError as exc:
                log.warning("owner notification to %s failed: %s", channel, exc)
                failures.append(exc)
                continue
            if request:
                await remember_platform_message(
                    self.db, community, int(request), channel, str(sent["ts"]), datetime.now(UTC)
                )
        retry = [f for f in failures if f.retry]
        if retry:
            raise retry[0]

    async def reply(self, community: str, member: str, text: str) -> None:
        """A command's answer when there is no channel to answer in: a DM."""
        await self.send_direct(community, member, text)

    # -- actions that need their whole payload -----------------------------------------------

    async def deliver_action(self, community: str, action: str, payload: dict[str, Any]) -> bool:
        """Notes fall back to an ephemeral, holds name their request, answers are ephemeral."""
        if action == "etiquette_note":
            await self._note(community, payload)
            return True
        if action == "hold":
            f = payload
            await self._hold(community, f["channel"], f["message"], f["member"], f.get("request"))
            return True
        if action in COMMAND_ANSWERS:
            await self._answer(community, payload)
            return True
        return False

    async def _note(self, community: str, payload: dict[str, Any]) -> None:
        member, text = str(payload["member"]), str(payload["text"])
        try:
            await self.send_direct(community, member, text)
        except DeliveryError as exc:
            if exc.retry or not payload.get("channel"):
                raise
            log.info("note DM to %s failed (%s); answering in the channel", member, exc)
            await self._ephemeral(community, str(payload["channel"]), member, text)

    async def _answer(self, community: str, payload: dict[str, Any]) -> None:
        member, text = str(payload["member"]), str(payload["text"])
        channel = payload.get("channel")
        if channel:
            try:
                await self._ephemeral(community, str(channel), member, text)
                return
            except DeliveryError as exc:
                if exc.retry:
                    raise
                log.info("ephemeral answer in %s failed (%s); sending a DM", channel, exc)
        await self.send_direct(community, member, text)

    async def _ephemeral(self, community: str, channel: str, member: str, text: str) -> None:
        async with slack_errors():
            channel_id = await self._channel(community, channel)
            client = await self.clients.bot(community)
            await client.chat_postEphemeral(channel=channel_id, user=member, text=text)

    # -- helpers -----------------------------------------------------------------------------

    async def _channel(self, community: str, channel: str) -> str:
        found = await self.directory.channel_id(community, channel)
        if found is None:
            raise DeliveryError(f"there is no channel #{channel}", retry=False)
        return found

    async def _pace(self, community: str, channel: str) -> None:
        wait = self.pacer.wait(community, channel)
        if wait > 1.0:
            raise DeliveryError(f"pacing #{channel}", retry=True, retry_after=wait)
        if wait > 0:
            await asyncio.sleep(wait)
            self.pacer.wait(community, channel)

    async def _owner_channels(self, community: str, payload: dict[str, Any]) -> list[str]:
        mods = payload.get("moderators_channel") or self.rulebook.channels.moderators
        async with slack_errors():
            if mods:
                return [await self._channel(community, str(mods))]
            owners = await self.directory.owners(community)
            return [await self.directory.dm_channel(community, owner) for owner in owners]

    async def _update_copies(self, community: str, payload: dict[str, Any]) -> None:
        request = int(payload["request"])
        row = await request_detail(self.db, community, request)
        text, blocks = decided_blocks(row, payload)
        client = None
        for channel, ts in await platform_messages(self.db, community, request):
            try:
                async with slack_errors():
                    client = client or await self.clients.bot(community)
                    await client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
            except DeliveryError as exc:
                if exc.retry:
                    raise
                log.info("could not update notification %s/%s: %s", channel, ts, exc)

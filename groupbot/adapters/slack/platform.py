"""The outbox's Slack side: DMs, posts, holds, owner notifications and ephemeral answers."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from aiolimiter import AsyncLimiter
from slack_sdk.errors import SlackApiError
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.adapters.slack.clients import Clients
from groupbot.adapters.slack.directory import Directory
from groupbot.adapters.slack.errors import error_code, slack_errors
from groupbot.adapters.slack.views import decided_blocks, notification_blocks
from groupbot.core.actions import Hold, OwnerNotice, OwnersNotified, OwnersReminded, RequestDecided
from groupbot.core.ports import Capabilities, ChannelPost, DeliveryError, Direct, Whispered
from groupbot.core.rulebook import Rulebook
from groupbot.service.queries import request_detail
from groupbot.service.settings_reader import SettingsOf
from groupbot.storage.repositories import PlatformMessages

__all__ = ["ChannelPacer", "SlackPlatform"]

log = logging.getLogger(__name__)

HOLD_TEXT = (
    "While the owners look at {what}, could you please delete your post in "
    "#{channel}? Slack doesn't let me remove members' messages. If the owners approve it, "
    "I'll share it for you with your name on it."
)
# A post waits this long at most for its channel's pace; longer, and the outbox retries it.
MAX_PACE_WAIT = 1.0


class ChannelPacer:
    """Keeps chat.postMessage to about one a second per channel (Slack's limit), short bursts ok."""

    def __init__(self, rate: float = 1.0, burst: int = 3) -> None:
        self.rate = rate
        self.burst = burst
        self._limiters: dict[tuple[str, str], AsyncLimiter] = {}

    async def take(self, team: str, channel: str, *, within: float = MAX_PACE_WAIT) -> bool:
        """Take a slot, waiting up to `within` seconds for one; False if none came free."""
        limiter = self._limiters.get((team, channel))
        if limiter is None:
            limiter = self._limiters[(team, channel)] = AsyncLimiter(
                self.burst, self.burst / self.rate
            )
        try:
            async with asyncio.timeout(within):
                await limiter.acquire()
        except TimeoutError:
            return False
        return True


class SlackPlatform:
    """Implements the Platform port over the Slack Web API."""

    def __init__(
        self,
        db: AsyncEngine,
        rulebook: Rulebook,
        clients: Clients,
        directory: Directory,
        pacer: ChannelPacer | None = None,
        settings: SettingsOf | None = None,
    ) -> None:
        self.db = db
        self.rulebook = rulebook
        self.settings = settings  # each workspace's own settings; None: the rulebook
        self.clients = clients
        self.directory = directory
        self.pacer = pacer or ChannelPacer()

    @property
    def capabilities(self) -> Capabilities:
        """Slack has ephemeral messages: answers in place, notes there when DMs fail."""
        return Capabilities(whisper=True)

    # -- the port --------------------------------------------------------------------------

    async def send_direct(self, message: Direct) -> None:
        """A DM from the bot (conversations.open + chat.postMessage)."""
        await self._dm(message.community, message.member, message.text)

    async def _dm(self, community: str, member: str, text: str) -> None:
        async with slack_errors():
            channel = await self.directory.dm_channel(community, member)
            client = await self.clients.bot(community)
            await client.chat_postMessage(channel=channel, text=text)

    async def whisper(self, message: Whispered) -> None:
        """An ephemeral message in the channel the note's post or the command came from."""
        if not message.channel:
            raise DeliveryError("no channel to answer in", retry=False)
        async with slack_errors():
            channel_id = await self._channel(message.community, message.channel)
            client = await self.clients.bot(message.community)
            await client.chat_postEphemeral(
                channel=channel_id, user=message.member, text=message.text
            )

    async def post(self, message: ChannelPost) -> None:
        """A post in a channel named by the rulebook (a welcome) or a request (a publication)."""
        community = message.community
        channel = message.channel or (await self._settings(community)).channels.welcome
        async with slack_errors():
            channel_id = await self._channel(community, channel)
            await self._pace(community, channel_id)
            client = await self.clients.bot(community)
            await client.chat_postMessage(channel=channel_id, text=message.text)

    async def remove(self, hold: Hold) -> None:
        """Delete a held post with the admin token, or ask its author to delete it."""
        admin = self.clients.admin()
        if admin is None:
            what = f"request #{hold.request}" if hold.request else "your request"
            text = HOLD_TEXT.format(what=what, channel=hold.channel)
            await self._dm(hold.community, hold.member, text)
            return
        async with slack_errors():
            channel_id = await self._channel(hold.community, hold.channel)
            try:
                await admin.chat_delete(channel=channel_id, ts=hold.message)
            except SlackApiError as exc:
                if error_code(exc) != "message_not_found":  # already gone: done
                    raise

    async def notify_owners(self, notice: OwnerNotice) -> None:
        """Notifications with buttons, reminders, alerts, and decided copies updated in place."""
        if isinstance(notice, RequestDecided):
            await self._update_copies(notice)
            return
        community = notice.community
        request = notice.request if isinstance(notice, OwnersNotified | OwnersReminded) else None
        row = await request_detail(self.db, community, request) if request else None
        blocks = (
            notification_blocks(row, notice)
            if isinstance(notice, OwnersNotified | OwnersReminded)
            else None
        )
        messages = PlatformMessages(self.db, community)
        done: set[str] = set()
        if isinstance(notice, OwnersNotified):
            done = {ch for ch, _ in await messages.of_request(notice.request)}
        mods = notice.moderators_channel if isinstance(notice, OwnersNotified) else None
        failures: list[DeliveryError] = []
        for channel in await self._owner_channels(community, mods):
            if channel in done:
                continue  # a retry: this copy was already sent
            try:
                async with slack_errors():
                    await self._pace(community, channel)
                    client = await self.clients.bot(community)
                    sent = await client.chat_postMessage(
                        channel=channel, text=notice.text, blocks=blocks
                    )
            except DeliveryError as exc:
                log.warning("owner notification to %s failed: %s", channel, exc)
                failures.append(exc)
                continue
            if request:
                await messages.remember(request, channel, str(sent["ts"]), datetime.now(UTC))
        retry = [f for f in failures if f.retry]
        if retry:
            raise retry[0]

    # -- helpers -----------------------------------------------------------------------------

    async def _settings(self, community: str) -> Rulebook:
        return self.rulebook if self.settings is None else await self.settings(community)

    async def _channel(self, community: str, channel: str) -> str:
        found = await self.directory.channel_id(community, channel)
        if found is None:
            raise DeliveryError(f"there is no channel #{channel}", retry=False)
        return found

    async def _pace(self, community: str, channel: str) -> None:
        if not await self.pacer.take(community, channel):
            raise DeliveryError(f"pacing #{channel}", retry=True, retry_after=MAX_PACE_WAIT)

    async def _owner_channels(self, community: str, mods: str | None) -> list[str]:
        mods = mods or (await self._settings(community)).channels.moderators
        async with slack_errors():
            if mods:
                return [await self._channel(community, str(mods))]
            owners = await self.directory.owners(community)
            return [await self.directory.dm_channel(community, owner) for owner in owners]

    async def _update_copies(self, decided: RequestDecided) -> None:
        community, request = decided.community, decided.request
        row = await request_detail(self.db, community, request)
        text, blocks = decided_blocks(row, decided)
        client = None
        for channel, ts in await PlatformMessages(self.db, community).of_request(request):
            try:
                async with slack_errors():
                    client = client or await self.clients.bot(community)
                    await client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
            except DeliveryError as exc:
                if exc.retry:
                    raise
                log.info("could not update notification %s/%s: %s", channel, ts, exc)

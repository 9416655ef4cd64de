"""A workspace's recent history, read at install (and a channel's, when the bot joins it)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from groupbot.adapters.slack.clients import Clients
from groupbot.adapters.slack.translate import Translator
from groupbot.core.events import MessagePosted
from groupbot.core.history import HistoryBounds, PastMessage, Progress
from groupbot.service.warmup import Background

__all__ = [
    "PAGE",
    "SlackHistory",
    "history_client",
    "warm_up",
    "warm_up_channel",
    "warm_up_joined",
    "warm_up_token_workspace",
]

log = logging.getLogger(__name__)

PAGE = 200  # messages (or channels) asked for per call; Slack pages by cursor
# A warm-up is in no hurry: wait out Slack's Retry-After as often as it asks, within reason.
RATE_LIMIT_RETRIES = 20
# Channel errors that mean "not for us to read" (left, archived, private): skip the channel.
GONE = frozenset({"user_not_found", "user_not_visible"})  # authors of old posts, since removed
UNREADABLE = frozenset({"not_in_channel", "channel_not_found", "missing_scope", "is_archived"})


def history_client(clients: Clients, token: str) -> AsyncWebClient:
    """A client on the shared session that waits out rate limits instead of giving up."""
    return AsyncWebClient(
        token=token,
        base_url=clients.base_url,
        session=clients.session,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )


def _slack_ts(at: float) -> str:
    return f"{at:.6f}"


class SlackHistory:
    """Reads the public channels the bot is in (or `only` one), oldest message first."""

    def __init__(
        self,
        clients: Clients,
        translator: Translator,
        team: str,
        bot_user: str | None = None,
        only: str = "",
    ) -> None:
        self.clients = clients
        self.client: AsyncWebClient | None = None
        self.translator = translator
        self.team = team
        self.bot_user = bot_user
        self.only = only  # a channel the bot just joined; "" for every channel it is in

    async def _client(self) -> AsyncWebClient:
        if self.client is None:
            self.client = history_client(self.clients, await self.clients.token_for(self.team))
        return self.client

    async def channels(self, most: int) -> list[str]:
        """Ids of the public channels the bot is a member of (at most `most`), in Slack's order."""
        client = await self._client()
        found: list[str] = []
        cursor = ""
        while len(found) < most:
            page = await client.conversations_list(
                types="public_channel", exclude_archived=True, limit=PAGE, cursor=cursor or None
            )
            for channel in page.get("channels") or ():
                if channel.get("is_member") and isinstance(channel.get("id"), str):
                    found.append(channel["id"])
            cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                break
        return found[:most]

    async def _messages(self, channel: str, oldest: str, latest: str, most: int) -> list[Any]:
        """The channel's newest `most` messages between the bounds (Slack sends newest first)."""
        client = await self._client()
        found: list[Any] = []
        cursor = ""
        while len(found) < most:
            page = await client.conversations_history(
                channel=channel,
                oldest=oldest,
                latest=latest,
                limit=min(PAGE, most - len(found)),
                cursor=cursor or None,
            )
            found.extend(page.get("messages") or ())
            cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor or not page.get("has_more"):
                break
        return found[:most]

    async def read(self, bounds: HistoryBounds, cursor: str) -> AsyncIterator[PastMessage]:
        """Every readable past message, resuming after `cursor`; a mark after each channel."""
        progress = Progress.decode(cursor)
        latest = _slack_ts(bounds.until.timestamp())
        most = bounds.max_channels
        for channel in [self.only][:most] if self.only else await self.channels(most):
            if channel in progress.done:
                continue
            oldest = progress.resume_after(channel) or _slack_ts(bounds.since.timestamp())
            try:
                messages = await self._messages(channel, oldest, latest, bounds.max_per_channel)
            except SlackApiError as exc:
                if exc.response.get("error") not in UNREADABLE:
                    raise
                log.info("history of %s not readable: %s", channel, exc.response.get("error"))
                messages = []
            for raw in sorted(messages, key=lambda m: float(m.get("ts") or 0)):
                post = await self._post(channel, raw)
                if post is not None:
                    progress = progress.at(channel, post.message)
                    yield PastMessage(post, progress.encode())
            progress = progress.finished(channel)
            yield PastMessage(None, progress.encode())

    async def _post(self, channel: str, raw: dict[str, Any]) -> MessagePosted | None:
        """A member's message as the engine reads it; bots and system messages are None."""
        if not isinstance(raw, dict) or not raw.get("ts"):
            return None
        event = {**raw, "channel": channel, "channel_type": "channel"}
        try:
            post = await self.translator.message(
                self.team, f"history:{raw['ts']}", event, self.bot_user
            )
        except SlackApiError as exc:
            if exc.response.get("error") not in GONE:
                raise
            return None  # an author Slack no longer shows: nobody to know
        return post if isinstance(post, MessagePosted) else None


def warm_up(
    history: Background, clients: Clients, translator: Translator, team: str, bot_user: str = ""
) -> None:
    """Start reading a workspace's history in the background (an install, a start-up)."""
    history.start(team, SlackHistory(clients, translator, team, bot_user or None).read)


async def warm_up_token_workspace(
    history: Background, clients: Clients, translator: Translator, token: str
) -> None:
    """Single-workspace mode: find the workspace, then warm it up if it never was."""
    try:
        auth = await clients.make(token).auth_test()
    except Exception:  # Slack unreachable at start-up: the next start tries again
        log.warning("history warm-up not started: auth.test failed", exc_info=True)
        return
    team, bot_user = auth.get("team_id"), str(auth.get("user_id") or "")
    if not isinstance(team, str) or not team:
        return
    warm_up(history, clients, translator, team, bot_user)
    for channel in await history.warmup.unfinished_channels(team):  # joined, read in part
        warm_up_channel(history, clients, translator, team, channel, bot_user)


def warm_up_joined(
    history: Background,
    clients: Clients,
    translator: Translator,
    team: str,
    event: dict[str, Any],
    bot_user: str | None,
) -> None:
    """The bot was added to a channel: read that channel's past in the background, if public."""
    channel = event.get("channel")
    if not isinstance(channel, str) or not channel:
        return
    if event.get("channel_type") != "C":  # "G": private; the history read is of public ones
        log.info("history of %s not read: not a public channel", channel)
        return
    warm_up_channel(history, clients, translator, team, channel, bot_user)


def warm_up_channel(
    history: Background,
    clients: Clients,
    translator: Translator,
    team: str,
    channel: str,
    bot_user: str | None,
) -> None:
    """Start reading one channel's history in the background (once, unless read at install)."""
    reader = SlackHistory(clients, translator, team, bot_user or None, channel)
    history.start(team, reader.read, channel)

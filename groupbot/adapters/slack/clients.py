"""Web API clients: one shared session, the configured base URL, 429 handling, team tokens."""

from __future__ import annotations

import time

import aiohttp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from groupbot.core.ports import DeliveryError

__all__ = ["TOKEN_TTL", "Clients", "retry_handlers"]

TOKEN_TTL = 300.0  # seconds a team's bot token is trusted before the store is asked again


def retry_handlers() -> list[AsyncRetryHandler]:
    """Retry connection errors and honour one 429 Retry-After inside the client."""
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=1),
        AsyncRateLimitErrorRetryHandler(max_retry_count=1),
    ]


class Clients:
    """Hands out AsyncWebClients for a team: the single bot token, or the installed one."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        installations: AsyncInstallationStore | None = None,
        admin_token: str | None = None,
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._token = token
        self._installations = installations
        self._admin_token = admin_token
        self._session: aiohttp.ClientSession | None = None
        self._by_token: dict[str, AsyncWebClient] = {}
        self._team_tokens: dict[str, tuple[float, str]] = {}

    @property
    def session(self) -> aiohttp.ClientSession:
        """The HTTP session every client shares (created on first use, in the running loop)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=30),
                connector=aiohttp.TCPConnector(limit=100),
            )
        return self._session

    async def close(self) -> None:
        """Close the shared HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def make(self, token: str | None = None) -> AsyncWebClient:
        """A client on the configured base URL with the retry handlers (token optional)."""
        return AsyncWebClient(
            token=token,
            base_url=self.base_url,
            session=self.session,
            retry_handlers=retry_handlers(),
        )

    def for_token(self, token: str) -> AsyncWebClient:
        """The (cached) client for one token."""
        client = self._by_token.get(token)
        if client is None:
            client = self._by_token[token] = self.make(token)
        return client

    def use_installations(self, installations: AsyncInstallationStore) -> None:
        """Multi-workspace: find each team's bot token in the installation store."""
        self._installations = installations
        self._token = None

    async def token_for(self, team: str) -> str:
        """The bot token that acts in a team."""
        if self._token is not None:
            return self._token
        cached = self._team_tokens.get(team)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        bot = None
        if self._installations is not None:
            bot = await self._installations.async_find_bot(enterprise_id=None, team_id=team)
        if bot is None or not bot.bot_token:
            raise DeliveryError(f"groupbot is not installed in team {team}", retry=False)
        self._team_tokens[team] = (time.monotonic() + TOKEN_TTL, bot.bot_token)
        return bot.bot_token

    async def bot(self, team: str) -> AsyncWebClient:
        """The bot's client for a team."""
        return self.for_token(await self.token_for(team))

    def admin(self) -> AsyncWebClient | None:
        """The admin user's client (deletes held posts), when SLACK_ADMIN_USER_TOKEN is set."""
        return self.for_token(self._admin_token) if self._admin_token else None

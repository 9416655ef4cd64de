"""The "Add to Slack" install: OAuth settings, stores on groupbot's database, cached authorize."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.storage.models import SLACK_BOTS, SLACK_INSTALLATIONS
from groupbot.storage.oauth import STATE_SECONDS, OAuthStates

__all__ = ["BOT_SCOPES", "Installed", "OAuth", "build_oauth"]

# Exactly the bot scopes the app uses (deploy/slack/manifest.yaml lists the same).
BOT_SCOPES = (
    "channels:history",
    "channels:read",
    "chat:write",
    "chat:write.public",
    "commands",
    "groups:history",
    "groups:read",
    "im:write",
    "usergroups:read",
    "users:read",
)


class OAuth:
    """The pieces Bolt needs for multi-workspace installs, all on groupbot's database."""

    def __init__(
        self,
        settings: AsyncOAuthSettings,
        authorize: AsyncInstallationStoreAuthorize,
        installations: AsyncSQLAlchemyInstallationStore,
    ) -> None:
        self.settings = settings
        self.authorize = authorize
        self.installations = installations


Installed = Callable[[str], None]  # told the team id of each successful install


def _callbacks(on_installed: Installed) -> AsyncCallbackOptions:
    """Bolt's own success and failure pages, with `on_installed` told of each install first."""

    async def success(args: AsyncSuccessArgs) -> BoltResponse:
        team = args.installation.team_id
        if team:
            on_installed(team)  # starts work in the background: the page is not kept waiting
        return await args.default.success(args)

    async def failure(args: AsyncFailureArgs) -> BoltResponse:
        return await args.default.failure(args)

    return AsyncCallbackOptions(success=success, failure=failure)


def build_oauth(
    db: AsyncEngine,
    client_id: str,
    client_secret: str,
    client: AsyncWebClient,
    on_installed: Installed | None = None,
) -> OAuth:
    """Installation and state stores on the Alembic-owned tables; authorize with caching on."""
    installations = AsyncSQLAlchemyInstallationStore(
        client_id=client_id,
        engine=db,
        bots_table_name=SLACK_BOTS.name,
        installations_table_name=SLACK_INSTALLATIONS.name,
    )
    states = OAuthStates(db, STATE_SECONDS)
    settings = AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=installations,
        installation_store_bot_only=True,
        state_store=states,
        state_expiration_seconds=STATE_SECONDS,
        callback_options=_callbacks(on_installed) if on_installed else None,
    )
    authorize = AsyncInstallationStoreAuthorize(
        installation_store=installations,
        client_id=client_id,
        client_secret=client_secret,
        bot_only=True,
        cache_enabled=True,
        client=client,
        logger=logging.getLogger(__name__),
    )
    return OAuth(settings, authorize, installations)

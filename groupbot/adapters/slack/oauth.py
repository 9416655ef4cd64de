"""The "Add to Slack" install: OAuth settings, stores on groupbot's database, cached authorize."""

from __future__ import annotations

import logging

from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.storage.models import SLACK_BOTS, SLACK_INSTALLATIONS
from groupbot.storage.oauth import STATE_SECONDS, OAuthStates

__all__ = ["BOT_SCOPES", "OAuth", "build_oauth"]

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


def build_oauth(
    db: AsyncEngine,
    client_id: str,
    client_secret: str,
    client: AsyncWebClient,
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

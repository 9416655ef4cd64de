"""`groupbot run`: check the environment, then start the platform adapters."""

from __future__ import annotations

import asyncio
import base64
import binascii
from typing import Literal

from groupbot.cli.errors import check_sqlite_path
from groupbot.core.rulebook import Rulebook
from groupbot.service.metrics import METRICS_HOST
from groupbot.service.settings import Settings

__all__ = ["discord_invite", "launch_discord", "launch_slack", "run_configured"]


def slack_configured(settings: Settings) -> bool:
    """Whether the environment holds Slack credentials of either kind."""
    return bool(settings.slack_bot_token or settings.slack_client_id)


def _check_slack(settings: Settings, mode: Literal["http", "socket"]) -> None:
    if settings.slack_signing_secret is None and mode == "http":
        raise ValueError("SLACK_SIGNING_SECRET must be set for Slack over HTTP")
    if mode == "socket":
        if settings.slack_app_token is None or settings.slack_bot_token is None:
            raise ValueError("Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN")
        return
    if settings.slack_client_id and settings.slack_client_secret is None:
        raise ValueError("SLACK_CLIENT_ID is set: SLACK_CLIENT_SECRET must be set too")
    if not slack_configured(settings):
        raise ValueError(
            "set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
            '("Add to Slack" installs)'
        )


async def launch_slack(
    rulebook: Rulebook,
    mode: Literal["http", "socket"],
    host: str,
    port: int,
    metrics_port: int | None,
    metrics_host: str = METRICS_HOST,
) -> None:
    """Run the Slack app until interrupted."""
    settings = Settings()
    _check_slack(settings, mode)
    check_sqlite_path(settings.groupbot_database_url)
    from groupbot.adapters.slack import run_slack

    await run_slack(
        settings,
        rulebook,
        mode=mode,
        host=host,
        port=port,
        metrics_port=metrics_port,
        metrics_host=metrics_host,
    )


async def launch_discord(
    rulebook: Rulebook,
    shard_count: int | None,
    shard_ids: list[int] | None,
    dev_guild: int | None,
    metrics_host: str,
    metrics_port: int | None,
) -> None:
    """Run the Discord bot until interrupted."""
    settings = Settings()
    if settings.discord_token is None:
        raise ValueError("DISCORD_TOKEN must be set")
    check_sqlite_path(settings.groupbot_database_url)
    from groupbot.adapters.discord import run_discord

    await run_discord(
        settings,
        rulebook,
        shard_count=shard_count,
        shard_ids=shard_ids,
        dev_guild=dev_guild,
        host=metrics_host,
        metrics_port=metrics_port,
    )


async def run_configured(
    rulebook: Rulebook, host: str, port: int, metrics_port: int, metrics_host: str = METRICS_HOST
) -> None:
    """Run every platform whose credentials are set; one serves /healthz and /metrics."""
    settings = Settings()
    runs = []
    if slack_configured(settings):
        mode: Literal["http", "socket"] = (
            "socket" if settings.slack_app_token and not settings.slack_client_id else "http"
        )
        runs.append(launch_slack(rulebook, mode, host, port, metrics_port, metrics_host))
    if settings.discord_token is not None:
        runs.append(
            launch_discord(rulebook, None, None, None, metrics_host, None if runs else metrics_port)
        )
    if not runs:
        raise ValueError(
            "no platform credentials: set SLACK_BOT_TOKEN or SLACK_CLIENT_ID, or DISCORD_TOKEN"
        )
    await asyncio.gather(*runs)


def application_id_from_token(token: str) -> int:
    """A Discord bot token's first part is the bot's user id (= its application id)."""
    head = token.split(".", 1)[0]
    try:
        return int(base64.b64decode(head + "=" * (-len(head) % 4)).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValueError(
            "cannot read the application id from DISCORD_TOKEN; pass --client-id"
        ) from None


def discord_invite(rulebook: Rulebook, client_id: int | None) -> str:
    """The OAuth2 install URL for the bot, with the permissions its features need."""
    if client_id is None:
        token = Settings().discord_token
        if token is None:
            raise ValueError("pass --client-id or set DISCORD_TOKEN")
        client_id = application_id_from_token(token.get_secret_value())
    from groupbot.adapters.discord.permissions import invite_url

    return invite_url(client_id, rulebook)

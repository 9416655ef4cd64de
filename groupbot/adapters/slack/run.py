"""`groupbot run slack`: the app over HTTP or Socket Mode until cancelled or SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

import aiohttp
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError

from groupbot.adapters.slack.app import SlackService, serve_http, slack_service
from groupbot.core.rulebook import Rulebook
from groupbot.service.metrics import METRICS_HOST, PlatformUp, start_metrics_server
from groupbot.service.runtime import open_service_database
from groupbot.service.settings import Settings

__all__ = ["run_slack", "socket_mode"]

log = logging.getLogger(__name__)
# apps.connections.open answers that are about the token itself: retrying cannot help. Others
# (internal_error, service_unavailable, ratelimited...) are Slack's trouble and are retried.
TOKEN_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "not_allowed_token_type",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "missing_scope",
    }
)


async def _first_url(handler: AsyncSocketModeHandler) -> None:
    """Fetch the first WebSocket URL; Slack refusing the app token fails instead of retrying."""
    try:
        handler.client.wss_uri = await handler.client.issue_new_wss_url()
    except SlackApiError as exc:
        error = exc.response.get("error")
        if exc.response.status_code != 200 or error not in TOKEN_ERRORS:
            return  # Slack's trouble, not the token's: connect() retries as before
        raise ValueError(f"Slack refused SLACK_APP_TOKEN for Socket Mode: {error}") from exc
    except (aiohttp.ClientError, TimeoutError):
        return  # Slack unreachable for now: connect() retries as before


@asynccontextmanager
async def socket_mode(
    service: SlackService, app_token: str
) -> AsyncIterator[AsyncSocketModeHandler]:
    """Connect over Socket Mode (one workspace) until the block exits."""
    handler = AsyncSocketModeHandler(service.bolt, app_token, web_client=service.bolt.client)
    try:  # the SDK's connect() retries every error forever: ask for the first URL ourselves
        await _first_url(handler)
        await handler.connect_async()  # type: ignore[no-untyped-call]
        yield handler
    finally:  # also when connecting failed or was cancelled: the SDK's task and session
        await handler.close_async()  # type: ignore[no-untyped-call]


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)


async def run_slack(
    settings: Settings,
    rulebook: Rulebook,
    *,
    mode: Literal["http", "socket"],
    host: str,
    port: int,
    metrics_port: int | None,
    metrics_host: str = METRICS_HOST,
) -> None:
    """Serve Slack until cancelled or sent SIGTERM; the database is migrated first."""
    stop = asyncio.Event()
    _stop_on_signals(stop)
    connected: list[PlatformUp] = []

    async def platform_up() -> bool:
        return bool(connected) and await connected[0]()

    async with (
        open_service_database(settings.groupbot_database_url) as db,
        slack_service(settings, rulebook, db, mode=mode) as service,
        contextlib.AsyncExitStack() as stack,
    ):
        if metrics_port is not None:
            metrics = await start_metrics_server(db, metrics_host, metrics_port, platform_up)
            stack.push_async_callback(metrics.cleanup)
        if mode == "socket":
            token = settings.slack_app_token
            if token is None:
                raise ValueError("Socket Mode needs SLACK_APP_TOKEN")
            handler = await stack.enter_async_context(
                socket_mode(service, token.get_secret_value())
            )
            connected.append(handler.client.is_connected)
            log.info("groupbot: Slack over Socket Mode")
        else:
            bound = await stack.enter_async_context(serve_http(service, host, port))
            connected.append(_serving)
            log.info("groupbot: Slack over HTTP on %s:%s", host, bound)
        await stop.wait()


async def _serving() -> bool:
    """Over HTTP the platform is up once the server listens: Slack connects to us."""
    return True

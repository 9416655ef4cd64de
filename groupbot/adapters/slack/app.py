"""The Slack app assembled: engine, delivery loop, Bolt app, and the aiohttp routes serving it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Literal

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.adapters.inflight import InFlight
from groupbot.adapters.slack.clients import Clients
from groupbot.adapters.slack.directory import Directory
from groupbot.adapters.slack.home import Home
from groupbot.adapters.slack.listeners import Listeners
from groupbot.adapters.slack.oauth import build_oauth
from groupbot.adapters.slack.platform import SlackPlatform
from groupbot.adapters.slack.translate import Translator
from groupbot.core.rulebook import Rulebook
from groupbot.service.bot import Bot
from groupbot.service.live import start_live_bot
from groupbot.service.runner import Runner
from groupbot.service.settings import Settings

__all__ = ["EVENTS_PATH", "SlackService", "serve_http", "slack_service", "web_app"]

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_BODY = 1024 * 1024
# How long a shutdown waits for acknowledged events still on their way to the engine.
DRAIN_SECONDS = 10.0


def _secret(value: object) -> str | None:
    getter = getattr(value, "get_secret_value", None)
    return str(getter()) if getter is not None else None


@dataclass
class SlackService:
    """Everything one running Slack app holds."""

    bot: Bot
    bolt: AsyncApp
    clients: Clients
    directory: Directory
    platform: SlackPlatform
    runner: Runner
    home: Home
    signing_secret: str
    in_flight: InFlight  # acknowledged events not yet handed to the engine


def _bolt(
    settings: Settings, db: AsyncEngine, clients: Clients, mode: Literal["http", "socket"]
) -> AsyncApp:
    secret = _secret(settings.slack_signing_secret) or ""
    if mode == "http" and settings.slack_client_id:
        client_secret = _secret(settings.slack_client_secret) or ""
        oauth = build_oauth(db, settings.slack_client_id, client_secret, clients.make())
        clients.use_installations(oauth.installations)
        app = AsyncApp(
            signing_secret=secret,
            client=clients.make(),
            oauth_settings=oauth.settings,
            authorize=oauth.authorize,  # type: ignore[arg-type]  # an AsyncAuthorize is accepted
            process_before_response=False,
        )
        app.enable_token_revocation_listeners()
        return app
    return AsyncApp(
        signing_secret=secret,
        client=clients.make(_secret(settings.slack_bot_token)),
        process_before_response=False,
        request_verification_enabled=mode == "http",
    )


@asynccontextmanager
async def slack_service(
    settings: Settings,
    rulebook: Rulebook,
    db: AsyncEngine,
    *,
    mode: Literal["http", "socket"] = "http",
    tick_seconds: float = 1.0,
) -> AsyncIterator[SlackService]:
    """Start the engine and its delivery loop with a Bolt app in front; stop them on exit."""
    clients = Clients(
        settings.slack_api_url,
        token=_secret(settings.slack_bot_token),
        admin_token=_secret(settings.slack_admin_user_token),
    )
    bolt = _bolt(settings, db, clients, mode)
    directory = Directory(clients, rulebook)
    platform = SlackPlatform(db, rulebook, clients, directory)
    bot = await start_live_bot(db, rulebook, "slack")
    home = Home(db, rulebook, directory, clients, bot.communities.rulebook_of)
    runner = Runner(bot, platform, tick_seconds=tick_seconds, coalesce_seconds=0.02)
    listeners = Listeners(bot, rulebook, Translator(directory, rulebook), home)
    listeners.register(bolt)
    stop = asyncio.Event()
    delivering = asyncio.create_task(runner.run(stop), name="groupbot-slack-outbox")
    secret = _secret(settings.slack_signing_secret) or ""
    service = SlackService(
        bot, bolt, clients, directory, platform, runner, home, secret, listeners.in_flight
    )
    try:
        yield service
    finally:
        # Events Slack was told we have: let them reach the engine before it closes.
        try:
            async with asyncio.timeout(DRAIN_SECONDS):
                await service.in_flight.idle()
        except TimeoutError:
            log.warning(
                "shutting down with %d Slack events still in progress", service.in_flight.running
            )
        stop.set()
        runner.wake()
        with contextlib.suppress(asyncio.CancelledError):
            await delivering
        await bot.close()
        await clients.close()


def web_app(service: SlackService) -> web.Application:
    """POST /slack/events for everything Slack sends; the OAuth routes when installs are on."""
    bolt = service.bolt
    verifier = SignatureVerifier(service.signing_secret)

    async def events(request: web.Request) -> web.Response:
        body = await request.text()
        if not verifier.is_valid_request(body, dict(request.headers)):
            return web.json_response({"error": "invalid request"}, status=401)
        if request.headers.get("X-Slack-Retry-Num"):
            log.info(
                "Slack retry %s (%s)",
                request.headers["X-Slack-Retry-Num"],
                request.headers.get("X-Slack-Retry-Reason", "?"),
            )
        try:
            bolt_request = await to_bolt_request(request)
            response = await bolt.async_dispatch(bolt_request)
        except Exception as exc:  # Bolt cannot parse it: refuse it, never crash
            log.warning("malformed Slack request refused: %s: %s", type(exc).__name__, exc)
            return web.json_response({"error": "malformed request"}, status=400)
        return await to_aiohttp_response(response)

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_post(EVENTS_PATH, events)
    flow = bolt.oauth_flow
    if flow is not None:

        async def install(request: web.Request) -> web.Response:
            return await to_aiohttp_response(
                await flow.handle_installation(await to_bolt_request(request))
            )

        async def redirect(request: web.Request) -> web.Response:
            return await to_aiohttp_response(
                await flow.handle_callback(await to_bolt_request(request))
            )

        app.router.add_get(flow.install_path, install)
        app.router.add_get(flow.redirect_uri_path, redirect)
    return app


@asynccontextmanager
async def serve_http(service: SlackService, host: str, port: int) -> AsyncIterator[int]:
    """Serve the app over HTTP; yields the bound port (useful with port 0)."""
    runner = web.AppRunner(web_app(service), access_log=None, handler_cancellation=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    try:
        bound = runner.addresses[0][1]
        yield int(bound)
    finally:
        await runner.cleanup()

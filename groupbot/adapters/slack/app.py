"""The Slack app assembled: engine, delivery loop, Bolt app, and the aiohttp routes serving it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Literal

from aiohttp import web
from aiohttp.http import HttpProcessingError
from aiohttp.web import RequestPayloadError
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.adapters.inflight import InFlight
from groupbot.adapters.slack.clients import Clients
from groupbot.adapters.slack.directory import Directory
from groupbot.adapters.slack.first_run import FirstRunSlack
from groupbot.adapters.slack.guard import (
    RefusalLog,
    check_request,
    payload_refusal,
    server_logger,
)
from groupbot.adapters.slack.history import warm_up, warm_up_joined, warm_up_token_workspace
from groupbot.adapters.slack.home import Home
from groupbot.adapters.slack.listeners import Listeners
from groupbot.adapters.slack.oauth import build_oauth
from groupbot.adapters.slack.platform import SlackPlatform
from groupbot.adapters.slack.translate import Translator
from groupbot.core.rulebook import Rulebook
from groupbot.service.bot import Bot
from groupbot.service.live import start_live_bot
from groupbot.service.logs import log_context
from groupbot.service.runner import Runner
from groupbot.service.settings import Settings
from groupbot.service.settings_reader import SettingsReader
from groupbot.service.warmup import Background, Warmup

__all__ = ["EVENTS_PATH", "SlackService", "serve_http", "slack_service", "web_app"]

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_BODY = 1024 * 1024
# A client gets this long to send a request's headers (from connecting, or since its last
# answer), then as long again for the body: Slack sends both at once.
HEADER_SECONDS = 10.0
BODY_SECONDS = 10.0
LINGER_SECONDS = 2.0
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
    history: Background  # history warm-ups: at install, and of each channel the bot joins


def _bolt(
    settings: Settings,
    db: AsyncEngine,
    clients: Clients,
    mode: Literal["http", "socket"],
) -> AsyncApp:
    """The Bolt app, answering Slack only once an event is stored (a 500 makes Slack retry)."""
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
            process_before_response=True,
        )
        app.enable_token_revocation_listeners()
        return app
    return AsyncApp(
        signing_secret=secret,
        client=clients.make(_secret(settings.slack_bot_token)),
        process_before_response=True,
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
    warm_up_at_start: bool = True,
) -> AsyncIterator[SlackService]:
    """Start the engine and its delivery loop with a Bolt app in front; stop them on exit.

    A single-workspace app reads the workspace's history at start-up if it never did
    (`warm_up_at_start`); an installed one, when the install succeeds. Either reads a public
    channel's history when the bot is added to it later.
    """
    clients = Clients(
        settings.slack_api_url,
        token=_secret(settings.slack_bot_token),
        admin_token=_secret(settings.slack_admin_user_token),
    )
    bolt = _bolt(settings, db, clients, mode)
    directory = Directory(clients, rulebook)
    bot = await start_live_bot(db, rulebook, "slack")
    own_settings = SettingsReader(db, bot.communities)
    platform = SlackPlatform(db, rulebook, clients, directory, settings=own_settings)
    home = Home(db, rulebook, directory, clients, bot.communities.rulebook_of)
    runner = Runner(bot, platform, tick_seconds=tick_seconds, coalesce_seconds=0.02)
    translator = Translator(directory, rulebook, own_settings)
    history = Background(Warmup(bot))
    listeners = Listeners(
        bot,
        rulebook,
        translator,
        home,
        lambda team, event, me: warm_up_joined(history, clients, translator, team, event, me),
    )
    listeners.register(bolt)
    stop = asyncio.Event()
    delivering = asyncio.create_task(runner.run(stop), name="groupbot-slack-outbox")
    secret = _secret(settings.slack_signing_secret) or ""
    service = SlackService(
        bot, bolt, clients, directory, platform, runner, home, secret, listeners.in_flight, history
    )
    try:
        # An install's history is read after its first run: the first run takes a workspace
        # for new only while its row does not exist, and the read creates it.
        await _first_run(
            service, bolt, settings, lambda team: warm_up(history, clients, translator, team)
        )
        # After the first run: a new workspace is known as new only until its row exists.
        token = _secret(settings.slack_bot_token)
        if token and warm_up_at_start and not bolt.oauth_flow:
            history.spawn(warm_up_token_workspace(history, clients, translator, token))
        yield service
    finally:
        await history.close()
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


async def _first_run(
    service: SlackService, bolt: AsyncApp, settings: Settings, then: Callable[[str], None]
) -> None:
    """The guided first run after each OAuth install (then `then`), or now for a single token."""
    first_run = FirstRunSlack(
        service.runner.first_run, service.bot.communities, service.directory, service.clients
    )
    if bolt.oauth_flow is not None:
        first_run.hook(bolt.oauth_flow, then)
    elif settings.slack_bot_token is not None:
        await first_run.at_startup()


def _context_of(payload: dict[str, object]) -> dict[str, str | None]:
    """The community and event id a payload names, for its log lines."""
    team = payload.get("team")
    community = payload.get("team_id") or (team.get("id") if isinstance(team, dict) else None)
    event_id = payload.get("event_id")
    return {
        "community": community if isinstance(community, str) else None,
        "event_id": event_id if isinstance(event_id, str) else None,
    }


def web_app(service: SlackService, body_seconds: float = BODY_SECONDS) -> web.Application:
    """POST /slack/events for everything Slack sends; the OAuth routes when installs are on."""
    bolt = service.bolt
    refusals = RefusalLog(log)

    def refuse(reason: str, status: int) -> web.Response:
        refusals.refused(reason, status)
        return web.json_response({"error": reason}, status=status)

    async def events(request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(body_seconds):
                raw = await request.read()
        except (RequestPayloadError, HttpProcessingError):  # a broken chunk, a bad gzip
            return refuse("unreadable_body", 400)
        except TimeoutError:
            answer = refuse("slow_body", 408)
            answer.force_close()  # the rest of a slow body is not waited for
            return answer
        body, refusal = check_request(service.signing_secret, raw, request.headers)
        if refusal is not None:
            return refuse(refusal.reason, refusal.status)
        assert body is not None
        if request.headers.get("X-Slack-Retry-Num"):
            log.info(
                "Slack retry %s (%s)",
                request.headers["X-Slack-Retry-Num"][:8],
                request.headers.get("X-Slack-Retry-Reason", "?")[:40],
            )
        try:
            bolt_request = AsyncBoltRequest(
                body=body,
                query=request.query_string,
                headers=request.headers,  # type: ignore[arg-type]  # a mapping of str is read
            )
        except Exception:  # Bolt cannot parse it: refuse it, never crash
            return refuse("malformed", 400)
        why = payload_refusal(bolt_request.body)
        if why is not None:
            return refuse(why, 400)
        try:
            with log_context(**_context_of(bolt_request.body)):  # listener tasks inherit it
                response = await bolt.async_dispatch(bolt_request)
        except Exception:  # Bolt cannot read it: refuse it, never crash
            return refuse("malformed", 400)
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
async def serve_http(
    service: SlackService,
    host: str,
    port: int,
    *,
    header_seconds: float = HEADER_SECONDS,
    body_seconds: float = BODY_SECONDS,
) -> AsyncIterator[int]:
    """Serve the app over HTTP; yields the bound port (useful with port 0)."""
    runner = web.AppRunner(
        web_app(service, body_seconds),
        access_log=None,
        handler_cancellation=False,
        logger=server_logger(__name__ + ".server"),
        # aiohttp arms this deadline when a connection opens and again after each answer, and
        # drops a connection still short of a whole request then: slow headers are cut off.
        keepalive_timeout=header_seconds,
        lingering_time=LINGER_SECONDS,  # reading what is left of a refused body, at most
    )
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    try:
        bound = runner.addresses[0][1]
        yield int(bound)
    finally:
        await runner.cleanup()

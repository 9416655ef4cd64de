"""`groupbot run discord`: settings, intents, database, metrics and the sharded client."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import discord
import yarl
from discord.gateway import DiscordWebSocket

from groupbot.core.rulebook import Rulebook
from groupbot.service.live import start_live_bot
from groupbot.service.metrics import start_metrics_server
from groupbot.service.runtime import open_service_database
from groupbot.service.settings import Settings

from .bot import GroupbotClient, default_intents

__all__ = ["Granted", "point_at", "probe_intents", "run_discord"]

log = logging.getLogger(__name__)

FLUSH_SECONDS = 10.0  # at shutdown, how long held events may wait for the database


class Granted:
    """Which privileged intents the application has been granted in the developer portal."""

    def __init__(self, flags: discord.ApplicationFlags | None) -> None:
        self.members = (
            flags is None or flags.gateway_guild_members or flags.gateway_guild_members_limited
        )
        self.message_content = (
            flags is None or flags.gateway_message_content or flags.gateway_message_content_limited
        )


def point_at(api_url: str, gateway_url: str) -> None:
    """Send REST calls and the gateway connection where the settings say (proxies, tests)."""
    discord.http.Route.BASE = api_url.rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


async def probe_intents(token: str) -> Granted:
    """Ask Discord which privileged intents are granted, before identifying with them."""
    probe = discord.Client(intents=discord.Intents.none())
    try:
        await probe.login(token)
        info = await probe.application_info()
        return Granted(info.flags)
    finally:
        await probe.close()


async def run_discord(
    settings: Settings,
    rulebook: Rulebook,
    *,
    shard_count: int | None,
    shard_ids: list[int] | None,
    dev_guild: int | None,
    host: str,
    metrics_port: int | None,
    guild_ready_timeout: float = 2.0,
) -> None:
    """Run the Discord bot until the gateway closes for good or the task is cancelled."""
    if settings.discord_token is None:
        raise ValueError("DISCORD_TOKEN must be set")
    token = settings.discord_token.get_secret_value()
    point_at(settings.discord_api_url, settings.discord_gateway_url)
    granted = await probe_intents(token)
    if not granted.members:
        log.warning("the Server Members intent is not granted: newcomers cannot be welcomed")
    if not granted.message_content:
        log.warning("the Message Content intent is not granted: posts cannot be coached")
    intents = default_intents(message_content=granted.message_content, members=granted.members)
    async with open_service_database(settings.groupbot_database_url) as db:
        core = await start_live_bot(db, rulebook, "discord")
        client = GroupbotClient(
            core,
            rulebook,
            intents=intents,
            shard_count=shard_count,
            shard_ids=shard_ids,
            dev_guild=dev_guild,
            content_granted=granted.message_content,
            guild_ready_timeout=guild_ready_timeout,
        )

        async def connected() -> bool:
            return client.is_ready() and not client.is_closed()

        metrics = (
            await start_metrics_server(
                db, host, metrics_port, connected, {"events": client.buffer.ready}
            )
            if metrics_port is not None
            else None
        )
        try:
            async with client:
                await _until_stopped(client, token)
        finally:
            with contextlib.suppress(Exception):
                await client.buffer.close(FLUSH_SECONDS)  # what waits for the database
            with contextlib.suppress(Exception):
                await core.close()
            if metrics is not None:
                await metrics.cleanup()


async def _until_stopped(client: GroupbotClient, token: str) -> None:
    """Run the client until the gateway closes for good or SIGTERM/SIGINT asks it to stop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    running = asyncio.create_task(client.start(token))
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if stopping.done():
            log.info("groupbot: stopping on a signal")
            await client.close()  # no new events; deliveries stop
        await running
    finally:
        stopping.cancel()
        running.cancel()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(sig)

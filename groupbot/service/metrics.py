"""Health, readiness and Prometheus metrics, served on every `groupbot run`'s --metrics-port."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:  # the web server is imported only by what serves it: replay never does
    from aiohttp import web

__all__ = [
    "ACTIONS",
    "BUFFERED",
    "BUFFER_DROPPED",
    "EVENTS",
    "EVENT_SECONDS",
    "FAILED_EVENTS",
    "METRICS_HOST",
    "OUTBOX_ROWS",
    "QUEUE_OLDEST",
    "QUEUE_PENDING",
    "REFUSED",
    "RETENTION_SWEEPS",
    "PlatformUp",
    "metrics_app",
    "start_metrics_server",
]

log = logging.getLogger(__name__)

# Health and metrics are for the operator's own probes and scraper, not for the internet.
METRICS_HOST = "127.0.0.1"
READY_TIMEOUT = 2.0

EVENTS = Counter("groupbot_events_total", "Platform events handled.", ["platform", "type"])
QUEUE_PENDING = Gauge("groupbot_queue_pending", "Approval requests waiting for an owner.")
QUEUE_OLDEST = Gauge(
    "groupbot_queue_oldest_pending_seconds", "Age of the oldest request waiting for an owner."
)
OUTBOX_ROWS = Gauge("groupbot_outbox_rows", "Owed messages in the outbox, by status.", ["status"])
FAILED_EVENTS = Counter(
    "groupbot_failed_events_total",
    "Platform events that could not be stored, kept in failed_events for a retry.",
    ["platform"],
)
ACTIONS = Counter("groupbot_actions_total", "Actions the bot took.", ["action"])
EVENT_SECONDS = Histogram(
    "groupbot_event_seconds",
    "Time to handle one event, from receipt to commit.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
REFUSED = Counter(
    "groupbot_http_requests_refused_total",
    "Requests refused at the HTTP edge (unsigned, stale, forged, unreadable).",
    ["reason"],
)
# Events held in memory while the database is unreachable (platforms that do not redeliver).
BUFFERED = Gauge(
    "groupbot_buffered_events",
    "Events held in memory until the database takes them again.",
    ["platform"],
)
BUFFER_DROPPED = Counter(
    "groupbot_buffer_dropped_events_total",
    "Events lost because the in-memory buffer was full (or still held at shutdown).",
    ["platform"],
)
RETENTION_SWEEPS = Counter(
    "groupbot_retention_sweeps_total",
    "Daily retention sweeps, run or skipped because another replica held the sweep.",
    ["result"],
)

PlatformUp = Callable[[], Awaitable[bool]]


async def _not_connected() -> bool:
    return False


def metrics_app(
    db: AsyncEngine,
    platform_up: PlatformUp = _not_connected,
    more: Mapping[str, PlatformUp] | None = None,
) -> web.Application:
    """/healthz (the process answers), /readyz (database, platform, `more` up) and /metrics."""
    from aiohttp import web

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def database_up() -> bool:
        try:
            async with asyncio.timeout(READY_TIMEOUT), db.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:  # the probe reports; the reason goes to the log, not the answer
            log.warning("readiness: database unreachable (%s)", type(exc).__name__)
            return False
        return True

    async def readyz(_: web.Request) -> web.Response:
        checks = {"database": await database_up(), "platform": await platform_up()}
        checks |= {name: await check() for name, check in (more or {}).items()}
        ready = all(checks.values())
        body = {"status": "ok" if ready else "unavailable"} | {
            name: "ok" if up else "down" for name, up in checks.items()
        }
        return web.json_response(body, status=200 if ready else 503)

    async def metrics(_: web.Request) -> web.Response:
        body = generate_latest()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    return app


async def start_metrics_server(
    db: AsyncEngine,
    host: str,
    port: int,
    platform_up: PlatformUp = _not_connected,
    more: Mapping[str, PlatformUp] | None = None,
) -> web.AppRunner:
    """Serve /healthz, /readyz and /metrics; the caller cleans the returned runner up."""
    from aiohttp import web

    app = metrics_app(db, platform_up, more)
    runner = web.AppRunner(app, access_log=None, keepalive_timeout=10)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner

"""Health and Prometheus metrics, served on every `groupbot run`'s --metrics-port."""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = [
    "ACTIONS",
    "EVENTS",
    "EVENT_SECONDS",
    "FAILED_EVENTS",
    "metrics_app",
    "start_metrics_server",
]

EVENTS = Counter("groupbot_events_total", "Platform events handled.", ["platform", "type"])
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


def metrics_app(db: AsyncEngine) -> web.Application:
    """An aiohttp app with /healthz (database reachable) and /metrics."""

    async def healthz(_: web.Request) -> web.Response:
        try:
            async with db.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:  # report, never crash the probe
            return web.json_response({"status": "error", "database": str(exc)[:200]}, status=503)
        return web.json_response({"status": "ok"})

    async def metrics(_: web.Request) -> web.Response:
        body = generate_latest()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app


async def start_metrics_server(db: AsyncEngine, host: str, port: int) -> web.AppRunner:
    """Serve /healthz and /metrics; the caller cleans the returned runner up."""
    runner = web.AppRunner(metrics_app(db), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner

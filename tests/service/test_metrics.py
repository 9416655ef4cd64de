"""/healthz says alive, /readyz says database and platform, neither says how they broke."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import typer.main
from aiohttp import ClientSession
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.cli.app import app
from groupbot.service.metrics import start_metrics_server
from groupbot.storage.database import create_engine


class Platform:
    def __init__(self) -> None:
        self.up = False

    async def __call__(self) -> bool:
        return self.up


async def probe(engine: AsyncEngine, platform: Platform) -> AsyncIterator[str]:
    runner = await start_metrics_server(engine, "127.0.0.1", 0, platform)
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def broken(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A database that cannot be opened (its folder does not exist)."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/groupbot.db")
    try:
        yield engine
    finally:
        await engine.dispose()


async def test_health_and_readiness_reveal_no_internals(broken: AsyncEngine) -> None:
    platform = Platform()
    platform.up = True
    async for base in probe(broken, platform):
        async with ClientSession() as http:
            async with http.get(base + "/healthz") as response:
                assert response.status == 200
                assert await response.json() == {"status": "ok"}
            async with http.get(base + "/readyz") as response:
                assert response.status == 503
                body = await response.json()
    assert body == {"status": "unavailable", "database": "down", "platform": "ok"}


async def test_ready_only_when_the_database_and_the_platform_are(engine: AsyncEngine) -> None:
    platform = Platform()
    async for base in probe(engine, platform):
        async with ClientSession() as http:
            async with http.get(base + "/readyz") as response:
                assert response.status == 503
                assert (await response.json())["platform"] == "down"
            platform.up = True
            async with http.get(base + "/readyz") as response:
                assert response.status == 200
                assert await response.json() == {
                    "status": "ok",
                    "database": "ok",
                    "platform": "ok",
                }
            async with http.get(base + "/metrics") as response:
                assert "groupbot_http_requests_refused_total" in await response.text()


@pytest.mark.parametrize("path", [[], ["slack"], ["discord"]])
def test_every_run_serves_metrics_on_loopback_by_default(path: list[str]) -> None:
    command = typer.main.get_command(app).commands["run"]  # type: ignore[attr-defined]
    for name in path:
        command = command.commands[name]
    option = next(p for p in command.params if p.name == "metrics_host")
    assert "--metrics-host" in option.opts
    assert option.default == "127.0.0.1"

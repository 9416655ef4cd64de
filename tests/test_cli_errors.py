"""Failures an operator meets on day one are one line on stderr and a non-zero exit."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from aiohttp import web

GROUPBOT = str(Path(sys.executable).parent / "groupbot")
UNREACHABLE_PG = "postgresql://postgres@127.0.0.1:1/groupbot"  # nothing listens on port 1


async def groupbot(*args: str, **env: str) -> tuple[int, str, str]:
    """Run groupbot as its own process; exit status, stdout, stderr."""
    proc = await asyncio.create_subprocess_exec(
        GROUPBOT,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "DISCORD_TOKEN": "", "SLACK_BOT_TOKEN": "", **env},
    )
    async with asyncio.timeout(120):
        out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def one_line(code: int, err: str, *expected: str) -> str:
    assert code == 1, err
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    last = lines[-1]
    assert last.startswith("groupbot: "), err
    for text in expected:
        assert text in last, err
    return last


async def test_an_unreachable_postgresql_is_one_line(tmp_path: Path) -> None:
    for args in (["db", "upgrade"], ["stats", "-c", "T1"], ["queue", "list", "-c", "T1"]):
        code, _, err = await groupbot(*args, "--database", UNREACHABLE_PG)
        one_line(code, err, "cannot connect")
        assert len(err.strip().splitlines()) == 1


async def test_a_missing_postgresql_database_is_one_line() -> None:
    url = "postgresql://postgres@127.0.0.1:5432/groupbot_no_such_database"
    code, _, err = await groupbot("stats", "-c", "T1", "--database", url)
    if "cannot connect" in err:
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432")
    one_line(code, err, "does not exist")


async def test_an_unwritable_sqlite_path_is_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/no/such/folder/bot.db"
    for args in (["db", "upgrade", "--database", url], ["stats", "-c", "T1", "--database", url]):
        code, _, err = await groupbot(*args)
        one_line(code, err, "cannot open the SQLite database", "does not exist")


async def test_run_with_an_unreachable_database_is_one_line() -> None:
    code, _, err = await groupbot(
        "run",
        "slack",
        "--http",
        "--port",
        "0",
        "--metrics-port",
        "0",
        GROUPBOT_DATABASE_URL=UNREACHABLE_PG,
        SLACK_BOT_TOKEN="xoxb-1-2",
        SLACK_SIGNING_SECRET="signing-secret",
    )
    one_line(code, err, "cannot connect")


async def test_a_bad_discord_token_is_one_line(tmp_path: Path) -> None:
    async def unauthorized(_: web.Request) -> web.Response:
        return web.Response(
            status=401,
            text='{"message": "401: Unauthorized", "code": 0}',
            content_type="application/json",
        )

    app = web.Application()
    app.router.add_route("*", "/api/v10/{tail:.*}", unauthorized)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    try:
        code, _, err = await groupbot(
            "run",
            "discord",
            "--metrics-port",
            "0",
            DISCORD_TOKEN="MTIz.bad.token",
            DISCORD_API_URL=f"http://127.0.0.1:{port}/api/v10",
            GROUPBOT_DATABASE_URL=f"sqlite:///{tmp_path}/bot.db",
        )
    finally:
        await runner.cleanup()
    one_line(code, err, "Discord refused DISCORD_TOKEN")
    assert "MTIz.bad.token" not in err


async def test_debug_shows_the_traceback() -> None:
    code, _, err = await groupbot("--debug", "db", "upgrade", "--database", UNREACHABLE_PG)
    assert code == 1 and "Traceback" in err


async def test_stats_for_an_unknown_community_creates_none(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/bot.db"
    code, _, err = await groupbot("stats", "-c", "TYPO", "--database", url)
    one_line(code, err, "no community 'TYPO'")
    code, _, err = await groupbot("queue", "list", "-c", "TYPO", "--database", url)
    one_line(code, err, "no community 'TYPO'", "has none yet")  # the first one made none

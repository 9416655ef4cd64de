"""Fixtures for the fault tests: a throwaway PostgreSQL cluster, the fake Slack, a database."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from opskit import Cluster, fake_workspace, find_bindir, make_database, migrate, rules_file
from slackfake import TEAM, FakeSlack

from groupbot.storage.database import create_engine
from tests.replaykit import seen_before


@pytest.fixture
async def cluster() -> AsyncIterator[Cluster]:
    """A PostgreSQL cluster of the test's own, which it may stop and start."""
    bindir = find_bindir()
    if bindir is None:
        reason = "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; CI=true requires them", pytrace=False)
        pytest.skip(reason)
    server = Cluster(bindir)
    try:
        await server.create()
        yield server
    finally:
        await server.destroy()


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    """The fake Slack Web API; no call it did not expect."""
    slack = fake_workspace()
    await slack.start()
    try:
        yield slack
    finally:
        await slack.stop()
    assert not slack.failures, f"unexpected Web API calls: {slack.failures[:5]}"


@pytest.fixture
async def database(cluster: Cluster, fake: FakeSlack) -> str:
    """A migrated database on the cluster (`groupbot db upgrade`, as a deploy runs it).

    The workspace is one groupbot served before: the replicas start without a first run.
    """
    url, _ = await make_database(cluster.url, "groupbot_ops")
    await migrate(url, fake.url)
    engine = create_engine(url)
    try:
        await seen_before(engine, TEAM)
    finally:
        await engine.dispose()
    return url


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    """The rulebook the replicas run with."""
    return rules_file(tmp_path)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client with a bound on every request, as Slack's own."""
    timeout = aiohttp.ClientTimeout(total=5)
    async with aiohttp.ClientSession(timeout=timeout) as client:
        yield client

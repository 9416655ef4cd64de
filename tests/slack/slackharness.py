"""Fixtures: a strict fake Slack Web API, and the real app served over loopback against it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import ClientSession
from slackfake import (
    ADMIN_TOKEN,
    BOT_ID,
    BOT_TOKEN,
    BOT_USER,
    SECRET,
    TEAM,
    FakeSlack,
    Sender,
    user,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.adapters.slack.app import SlackService, serve_http, slack_service
from groupbot.adapters.slack.oauth import BOT_SCOPES
from groupbot.core.rulebook import Rulebook, parse_rulebook
from groupbot.service.runtime import open_database
from groupbot.service.settings import Settings
from tests.replaykit import seen_before

OWNER = "UOWNER001"
MEMBER = "UMEMBER01"
NEWBIE = "UNEWBIE01"
GENERAL = "C0GENERAL"
INTROS = "C0INTROS1"
PROMOS = "C0PROMOS1"
MODS = "C0MODS001"
RANDOM = "C0RANDOM1"
PITCH = (
    "Check out my agency! 50% discount this week at https://brightpixel.example.com "
    "- DM me for prices"
)
# Installs that start coaching at once (tests of other things than the first run).
NO_SHADOW_PERIOD = parse_rulebook("[first_run]\nshadow_days = 0\n")


@dataclass
class Harness:
    """The running app, its database, the fake Slack and a signed sender."""

    fake: FakeSlack
    send: Sender
    service: SlackService
    db: AsyncEngine
    base: str
    http: ClientSession


def offer_install(
    fake: FakeSlack, code: str, token: str, team: str, name: str, bot_user: str, installer: str
) -> None:
    """Slack's answer to oauth.v2.access for `code`: the app installed in `team` by `installer`."""
    fake.oauth_codes[code] = {
        "access_token": token,
        "token_type": "bot",
        "scope": ",".join(BOT_SCOPES),
        "bot_user_id": bot_user,
        "app_id": "A0APP",
        "team": {"id": team, "name": name},
        "enterprise": None,
        "is_enterprise_install": False,
        "authed_user": {"id": installer},
    }


async def install(h: Harness, code: str) -> tuple[int, str]:
    """The "Add to Slack" round trip (install page, then Slack's redirect): status and page."""
    async with h.http.get(h.base + "/slack/install") as response:
        page = await response.text()
        carried = response.headers["Set-Cookie"].split(";", 1)[0]
    state = re.search(r"state=([0-9a-f-]{36})", page)
    assert state is not None
    async with h.http.get(
        h.base + "/slack/oauth_redirect",
        params={"code": code, "state": state.group(1)},
        headers={"Cookie": carried},
    ) as response:
        return response.status, await response.text()


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    """A workspace with an owner, a member, a newcomer-to-be and the usual channels."""
    slack = FakeSlack()
    slack.add_bot(BOT_TOKEN, TEAM, BOT_USER, BOT_ID)
    slack.tokens[ADMIN_TOKEN] = {"team_id": TEAM, "user_id": OWNER, "admin": True}
    slack.users[OWNER] = user(OWNER, "Olivia", is_owner=True, is_admin=True)
    slack.users[MEMBER] = user(MEMBER, "Marco")
    slack.users[NEWBIE] = user(NEWBIE, "Nora")
    for cid, name in (
        (GENERAL, "general"),
        (INTROS, "introductions"),
        (PROMOS, "promotions"),
        (MODS, "moderators"),
        (RANDOM, "random"),
    ):
        slack.add_channel(cid, name)
    await slack.start()
    try:
        yield slack
    finally:
        await slack.stop()
    assert not slack.failures, f"unexpected Web API calls: {slack.failures}"


@asynccontextmanager
async def running(
    fake: FakeSlack,
    database_url: str,
    rulebook: Rulebook | None = None,
    *,
    new_workspace: bool = False,
    warm_up: bool = False,
    **settings: Any,
) -> AsyncIterator[Harness]:
    """The app as `groupbot run slack --http` starts it, on 127.0.0.1:0.

    The workspace is one groupbot served before, unless `new_workspace` (its first run).
    The start-up history read is off unless `warm_up`: most tests count every Web API call.
    """
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SECRET,
        "slack_api_url": fake.url,
        "groupbot_database_url": database_url,
    }
    values.update(settings)
    config = Settings(**values)
    async with open_database(config.groupbot_database_url) as db:
        if not new_workspace:
            await seen_before(db, TEAM)
        async with (
            slack_service(
                config, rulebook or Rulebook(), db, tick_seconds=0.05, warm_up_at_start=warm_up
            ) as service,
            serve_http(service, "127.0.0.1", 0) as port,
            ClientSession() as http,
        ):
            base = f"http://127.0.0.1:{port}"
            if not new_workspace:  # start-up's auth.test (is this a new workspace?) is done
                fake.calls.clear()
            yield Harness(fake, Sender(http, base + "/slack/events"), service, db, base, http)


@pytest.fixture
async def app(fake: FakeSlack, database_url: str) -> AsyncIterator[Harness]:
    """The app with the default rulebook (owners notified by DM)."""
    async with running(fake, database_url) as harness:
        yield harness


@pytest.fixture
async def mod_app(fake: FakeSlack, database_url: str) -> AsyncIterator[Harness]:
    """The app with a moderators' channel for notifications."""
    rules = parse_rulebook('[channels]\nmoderators = "moderators"\n')
    async with running(fake, database_url, rules) as harness:
        yield harness

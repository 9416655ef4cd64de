"""No token, secret or OAuth code in any log line, at any level, through a whole install."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from slackfake import SECRET, FakeSlack, Sender, user
from slackharness import NO_SHADOW_PERIOD, install, offer_install, running

from groupbot.service.logs import configure_logging

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])

TEAM2 = "T0TEAM333"
TOKEN2 = "xoxb-3333-4444-SecretInstalledToken"
CLIENT_SECRET = "cs-0f1e2d3c4b5a69788796a5b4c3d2e1f0"
GOOD_CODE = "1111.2222.goodcode0123456789abcdef"
BAD_CODE = "9999.8888.badcode0123456789abcdef"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Everything logged, at DEBUG, through groupbot's own handler (what an operator sees)."""
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging("debug", "json", [SECRET, CLIENT_SECRET], stream)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_an_install_logs_no_code_token_or_secret(
    fake: FakeSlack, database_url: str, captured: io.StringIO
) -> None:
    fake.add_bot(TOKEN2, TEAM2, "UBOT33333", "BBOT33333")
    fake.users["UNEW33333"] = user("UNEW33333", "Zed", team_id=TEAM2)
    fake.users["UADMIN333"] = user("UADMIN333", "Ada", team_id=TEAM2, is_owner=True)
    offer_install(fake, GOOD_CODE, TOKEN2, TEAM2, "Third", "UBOT33333", "UADMIN333")
    fake.scripted["oauth.v2.access"] = [(200, {"ok": False, "error": "invalid_code"}, {})]
    async with running(
        fake,
        database_url,
        NO_SHADOW_PERIOD,
        slack_bot_token=None,
        slack_client_id="111.333",
        slack_client_secret=CLIENT_SECRET,
    ) as h:
        for code in (BAD_CODE, GOOD_CODE):  # the first one fails, and Bolt logs the code
            status, _ = await install(h, code)
            assert status == (401 if code == BAD_CODE else 200)
        send = Sender(h.http, h.base + "/slack/events")
        await send.event({"type": "team_join", "user": fake.users["UNEW33333"]}, team=TEAM2)
        await fake.wait_for(
            lambda: fake.of("chat.postMessage", channel=fake.dm_channel("UNEW33333")),
            what="a welcome with the installed token",
        )
    lines = captured.getvalue().splitlines()
    assert any("oauth.v2.access" in line for line in lines)  # the failure was logged...
    assert any(TEAM2 in line for line in lines)  # ...and so were the event's ids
    for secret in (TOKEN2, CLIENT_SECRET, SECRET, GOOD_CODE, BAD_CODE):
        leaked = [line for line in lines if secret in line]
        assert leaked == [], (secret, leaked[:3])

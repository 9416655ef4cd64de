"""The "Add to Slack" install end to end on SQLite and PostgreSQL, then an event in the team."""

from __future__ import annotations

import re
from pathlib import Path

from slackfake import FakeSlack, Sender, user
from slackharness import NO_SHADOW_PERIOD, offer_install, running
from sqlalchemy import select

from groupbot.adapters.slack.oauth import BOT_SCOPES
from groupbot.storage.models import SLACK_BOTS, SLACK_INSTALLATIONS

TEAM2 = "T0TEAM222"
TOKEN2 = "xoxb-team-2"
MANIFEST = Path(__file__).resolve().parents[2] / "deploy" / "slack" / "manifest.yaml"


async def test_oauth_install_then_event_uses_the_stored_token(
    fake: FakeSlack, database_url: str
) -> None:
    fake.add_bot(TOKEN2, TEAM2, "UBOT22222", "BBOT22222")
    fake.users["UNEW22222"] = user("UNEW22222", "Zoe", team_id=TEAM2)
    fake.users["UADMIN222"] = user("UADMIN222", "Ada", team_id=TEAM2, is_owner=True)
    offer_install(fake, "code-1", TOKEN2, TEAM2, "Second", "UBOT22222", "UADMIN222")
    async with running(
        fake,
        database_url,
        NO_SHADOW_PERIOD,
        slack_bot_token=None,
        slack_client_id="111.222",
        slack_client_secret="client-secret",
    ) as h:
        async with h.http.get(h.base + "/slack/install") as response:
            assert response.status == 200
            page = await response.text()
            cookie = response.headers["Set-Cookie"]
        state = re.search(r"state=([0-9a-f-]{36})", page)
        assert state is not None and "client_id=111.222" in page
        assert "Secure" in cookie  # so a cookie jar drops it over http: carry it by hand
        carried = cookie.split(";", 1)[0]
        async with h.http.get(
            h.base + "/slack/oauth_redirect",
            params={"code": "code-1", "state": state.group(1)},
            headers={"Cookie": carried},
        ) as response:
            assert response.status == 200, await response.text()
        access = fake.of("oauth.v2.access")
        assert len(access) == 1 and access[0].params["code"] == "code-1"
        async with h.db.connect() as conn:
            rows = (await conn.execute(select(SLACK_INSTALLATIONS.c.team_id))).all()
            bots = (await conn.execute(select(SLACK_BOTS.c.bot_token))).all()
        assert [r[0] for r in rows] == [TEAM2]
        assert [b[0] for b in bots] == [TOKEN2]

        # A replayed callback (state already consumed) is refused.
        async with h.http.get(
            h.base + "/slack/oauth_redirect",
            params={"code": "code-1", "state": state.group(1)},
            headers={"Cookie": carried},
        ) as response:
            assert response.status >= 400

        send = Sender(h.http, h.base + "/slack/events")
        status, _ = await send.event(
            {"type": "team_join", "user": fake.users["UNEW22222"]}, team=TEAM2
        )
        assert status == 200
        welcome = await fake.wait_for(
            lambda: fake.of("chat.postMessage", channel=fake.dm_channel("UNEW22222")),
            what="welcome in the new workspace",
        )
        assert welcome[0].token == TOKEN2
        assert {c.token for c in fake.calls if c.method != "oauth.v2.access"} == {TOKEN2}
        checks = len(fake.of("auth.test"))
        for _ in range(2):
            await send.event({"type": "team_join", "user": fake.users["UNEW22222"]}, team=TEAM2)
        home = {"type": "app_home_opened", "user": "UNEW22222", "tab": "home"}
        await send.event(home, team=TEAM2)
        await fake.wait_for(lambda: fake.of("views.publish"), what="home in the new workspace")
        assert len(fake.of("auth.test")) == checks  # authorisations are cached
        assert len(fake.dms("UNEW22222")) == 1  # one welcome per member
        assert len(fake.dms("UADMIN222")) == 1  # and the installer's first-run guide


def _items(text: str, key: str) -> set[str]:
    """The `- item` lines of the YAML list under `key:` (the manifest is plain block YAML)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == key + ":")
    indent = len(lines[start]) - len(lines[start].lstrip())
    found: set[str] = set()
    for line in lines[start + 1 :]:
        if len(line) - len(line.lstrip()) <= indent or not line.strip().startswith("- "):
            break
        found.add(line.strip()[2:].strip())
    return found


def test_manifest_lists_exactly_the_scopes_the_install_asks_for() -> None:
    text = MANIFEST.read_text()
    assert _items(text, "bot") == set(BOT_SCOPES)
    assert _items(text, "bot_events") == {
        "app_home_opened",
        "app_uninstalled",
        "member_joined_channel",
        "message.channels",
        "message.groups",
        "team_join",
        "tokens_revoked",
        "user_change",
    }
    commands = set(re.findall(r"- command: (\S+)", text))
    assert commands == {"/groupbot", "/share"}
    assert "interactivity:\n    is_enabled: true" in text

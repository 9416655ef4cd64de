"""The guided first run on Slack, against the strict fake Web API: install, start-up, restart."""

from __future__ import annotations

import pytest
from slackfake import TEAM, FakeSlack, Sender, user
from slackharness import INTROS, MEMBER, NEWBIE, OWNER, Harness, install, running
from slackharness import offer_install as grant
from sqlalchemy import func, select

from groupbot.adapters.slack.settings_view import SETTINGS_VIEW
from groupbot.core.rulebook import parse_rulebook
from groupbot.storage.models import AuditEntry

TEAM2 = "T0TEAM444"
TOKEN2 = "xoxb-team-4"
INSTALLER = "UADMIN444"


async def audited(h: Harness, action: str) -> int:
    """How many actions of one kind the bot recorded."""
    async with h.db.connect() as conn:
        found = await conn.scalar(select(func.count()).where(AuditEntry.action == action))
        return int(found or 0)


def offer_install(fake: FakeSlack, code: str) -> None:
    """Slack's answer to oauth.v2.access for a second workspace, installed by INSTALLER."""
    grant(fake, code, TOKEN2, TEAM2, "Fourth", "UBOT44444", INSTALLER)


async def test_an_oauth_install_tells_the_installer_once_and_starts_in_shadow(
    fake: FakeSlack, database_url: str
) -> None:
    fake.add_bot(TOKEN2, TEAM2, "UBOT44444", "BBOT44444")
    fake.users[INSTALLER] = user(INSTALLER, "Ines", team_id=TEAM2, is_admin=True)
    fake.users["UNEW44444"] = user("UNEW44444", "Nils", team_id=TEAM2)
    fake.add_channel("C4INTROS", "intros", team=TEAM2)
    fake.add_channel("C4MODS", "mods", team=TEAM2)
    offer_install(fake, "code-a")
    offer_install(fake, "code-b")  # the app installed again (new scopes): no second guide
    rules = parse_rulebook('[channels]\nmoderators = "mods"\n')
    oauth = {"slack_bot_token": None, "slack_client_id": "1.4", "slack_client_secret": "cs"}
    async with running(fake, database_url, rules, **oauth) as h:
        status, page = await install(h, "code-a")
        assert status == 200, page
        [guide] = await fake.wait_for(lambda: fake.dms(INSTALLER), what="the first-run guide")
        assert guide.token == TOKEN2
        text = guide.params["text"]
        assert "groupbot is now set up in Fourth" in text
        assert "I watch #intros" in text and "requests for approval go to #mods" in text
        assert "shadow mode" in text and "/groupbot shadow off" in text
        assert "/groupbot config set" in text and "/groupbot settings" in text
        status, page = await install(h, "code-b")
        assert status == 200, page
        assert h.service.bot.communities.shadow(TEAM2)
        send = Sender(h.http, h.base + "/slack/events")
        status, _ = await send.event(
            {"type": "team_join", "user": fake.users["UNEW44444"]}, team=TEAM2
        )
        assert status == 200  # acknowledged once stored: the welcome was only recorded
        assert await audited(h, "shadow_decision") == 1 and await audited(h, "welcome") == 0
        assert len(fake.dms(INSTALLER)) == 1 and fake.dms("UNEW44444") == []
        assert await audited(h, "first_run_guide") == 1


async def test_a_single_token_workspace_is_guided_at_its_first_start_only(
    fake: FakeSlack, database_url: str
) -> None:
    fake.users[OWNER]["is_primary_owner"] = True
    async with running(fake, database_url, new_workspace=True) as h:
        [guide] = await fake.wait_for(lambda: fake.dms(OWNER), what="the first-run guide")
        text = guide.params["text"]
        assert "I watch #introductions" in text  # the one of the rulebook's names Slack has
        assert "owners by DM" in text  # no moderators' channel in the rulebook
        assert "until " in text and h.service.bot.communities.shadow(TEAM)
        assert fake.of("conversations.list")  # the channels as the bot finds them anywhere
        assert INTROS not in text
        await h.send.event({"type": "team_join", "user": fake.users[NEWBIE]})
        assert await audited(h, "shadow_decision") == 1 and fake.dms(NEWBIE) == []
    async with running(fake, database_url, new_workspace=True) as h:  # a restart
        assert await audited(h, "first_run_guide") == 1
    assert len(fake.dms(OWNER)) == 1


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_no_intro_channel_and_a_missing_moderators_channel_are_named(
    fake: FakeSlack, database_url: str
) -> None:
    fake.users[OWNER]["is_primary_owner"] = True
    del fake.channels[INTROS]
    rules = parse_rulebook('[channels]\nmoderators = "mod-team"\n[first_run]\nshadow_days = 0\n')
    async with running(fake, database_url, rules, new_workspace=True) as h:
        [guide] = await fake.wait_for(lambda: fake.dms(OWNER), what="the first-run guide")
        text = guide.params["text"]
        assert "I found none of the channels I look for (#introductions, #intros" in text
        assert "/groupbot config set channels.intro #your-channel" in text
        assert "I couldn't find #mod-team" in text
        assert "I'm active from now on" in text and not h.service.bot.communities.shadow(TEAM)
        await h.send.event({"type": "team_join", "user": fake.users[NEWBIE]})
        await fake.wait_for(lambda: fake.dms(NEWBIE), what="a welcome: no shadow period")


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_the_settings_command_the_guide_names_opens_the_form_for_owners(
    app: Harness,
) -> None:
    status, body = await app.send.command("/groupbot", "settings", MEMBER)
    assert status == 200 and "Only owners and moderators" in body
    assert app.fake.of("views.open") == []
    status, body = await app.send.command("/groupbot", "settings", OWNER)
    assert status == 200
    [opened] = await app.fake.wait_for(lambda: app.fake.of("views.open"), what="the form")
    assert opened.params["view"]["callback_id"] == SETTINGS_VIEW

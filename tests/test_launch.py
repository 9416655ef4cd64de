"""`groupbot run` picks the platforms whose credentials are set; empty variables are unset."""

from __future__ import annotations

from typing import Any

import pytest

from groupbot.cli import launch
from groupbot.core.rulebook import Rulebook
from groupbot.service.settings import Settings

SLACK_ONLY = {
    "SLACK_BOT_TOKEN": "xoxb-1-2",
    "SLACK_SIGNING_SECRET": "signing-secret-1",
    "SLACK_APP_TOKEN": "",
    "SLACK_CLIENT_ID": "",
    "SLACK_CLIENT_SECRET": "",
    "DISCORD_TOKEN": "",  # as compose's ${DISCORD_TOKEN:-} passes it
    "GROUPBOT_RULEBOOK": "",
}


@pytest.fixture
def slack_only_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SLACK_ONLY.items():
        monkeypatch.setenv(name, value)


def test_an_empty_variable_is_an_unset_one(slack_only_env: None) -> None:
    settings = Settings()
    assert settings.discord_token is None
    assert settings.slack_app_token is None and settings.slack_client_id is None
    assert settings.groupbot_rulebook is None
    assert settings.groupbot_database_url == "sqlite:///groupbot.db"


async def test_a_slack_only_environment_runs_slack_only(
    slack_only_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[tuple[str, tuple[Any, ...]]] = []

    async def slack(*args: Any) -> None:
        started.append(("slack", args))

    async def discord(*args: Any) -> None:
        started.append(("discord", args))

    monkeypatch.setattr(launch, "launch_slack", slack)
    monkeypatch.setattr(launch, "launch_discord", discord)
    await launch.run_configured(Rulebook(), "0.0.0.0", 3000, 9100)
    assert [name for name, _ in started] == ["slack"]
    assert started[0][1][1] == "http"  # no app token: Events API over HTTP
    assert started[0][1][-1] == "127.0.0.1"  # metrics on loopback unless told otherwise

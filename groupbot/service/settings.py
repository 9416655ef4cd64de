"""Settings read from the environment only (CONTRACTS.md); secrets stay secret."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Every variable groupbot reads; tokens are SecretStr so they never reach a log."""

    # An empty variable (compose's `${DISCORD_TOKEN:-}`) is an unset one, never an empty token.
    model_config = SettingsConfigDict(
        env_prefix="", extra="ignore", case_sensitive=False, env_ignore_empty=True
    )

    groupbot_database_url: str = Field(default="sqlite:///groupbot.db")
    groupbot_rulebook: str | None = None
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_admin_user_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    discord_token: SecretStr | None = None
    discord_api_url: str = "https://discord.com/api/v10"
    discord_gateway_url: str = "wss://gateway.discord.gg/"

    def secrets(self) -> list[str]:
        """Every secret value set, for the log redactor."""
        values = [getattr(self, name) for name in type(self).model_fields]
        return [v.get_secret_value() for v in values if isinstance(v, SecretStr)]

"""Settings read from the environment only (CONTRACTS.md); secrets stay secret."""

from __future__ import annotations

from typing import Any

from pydantic import Field, SecretStr, ValidationError
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
    groupbot_outbox_attempts: int = Field(
        default=10,
        ge=1,
        description=(
            "Tries an owed message gets before it is given up (status `failed`, an ERROR log "
            "line, `groupbot outbox list --failed`; `groupbot outbox retry` tries again)."
        ),
    )
    groupbot_outbox_backoff_seconds: float = Field(
        default=2.0,
        gt=0,
        description=(
            "First retry delay of the outbox: each retry waits between half and all of this "
            "doubled per attempt (capped at 10 minutes); a 429's `Retry-After` is always "
            "waited out."
        ),
    )
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

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:  # one line naming the variable, not pydantic's report
            raise ValueError(_one_line(exc)) from None

    def secrets(self) -> list[str]:
        """Every secret value set, for the log redactor."""
        values = [getattr(self, name) for name in type(self).model_fields]
        return [v.get_secret_value() for v in values if isinstance(v, SecretStr)]


def _one_line(exc: ValidationError) -> str:
    first = exc.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else ""
    info = Settings.model_fields.get(field)
    secret = info is not None and "SecretStr" in str(info.annotation)
    got = first.get("input")
    shown = "" if secret or isinstance(got, dict) else f" (got {got!r})"
    return f"{field.upper() or 'settings'}: {first['msg']}{shown}"

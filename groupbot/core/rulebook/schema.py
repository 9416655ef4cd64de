"""The whole rulebook: one community's complete configuration."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from .fields import StrictModel, normalize_channel
from .scopes import Rules
from .sections import (
    Approvals,
    Channels,
    Community,
    Detection,
    FirstRun,
    History,
    Notes,
    Owners,
    Retention,
    Watch,
    Welcome,
)


class Rulebook(StrictModel):
    """A community's complete configuration; every setting has a safe default."""

    shadow_mode: bool = Field(
        default=False, description="Record and report decisions, but send nothing to members."
    )
    community: Community = Field(default_factory=Community, description="The community.")
    channels: Channels = Field(default_factory=Channels, description="Channel roles.")
    owners: Owners = Field(default_factory=Owners, description="Extra owners and moderators.")
    watch: Watch = Field(default_factory=Watch, description="How long newcomers are watched.")
    welcome: Welcome = Field(default_factory=Welcome, description="Welcoming newcomers.")
    detection: Detection = Field(default_factory=Detection, description="Promotion detection.")
    notes: Notes = Field(default_factory=Notes, description="Etiquette notes.")
    approvals: Approvals = Field(default_factory=Approvals, description="The approval queue.")
    retention: Retention = Field(default_factory=Retention, description="Data retention.")
    first_run: FirstRun = Field(
        default_factory=FirstRun, description="The first days after an installation."
    )
    history: History = Field(
        default_factory=History, description="Reading recent history at install."
    )
    rules: Rules = Field(default_factory=Rules, description="The etiquette rules.")

    SECTIONS: ClassVar[tuple[str, ...]] = (
        "community",
        "channels",
        "owners",
        "watch",
        "welcome",
        "detection",
        "notes",
        "approvals",
        "retention",
        "first_run",
        "history",
        "rules",
    )

    def is_intro_channel(self, name: str) -> bool:
        """True if the channel is one of the intro channels (case-insensitive, '#' optional)."""
        wanted = normalize_channel(name)
        return any(normalize_channel(c) == wanted for c in self.channels.intro)

    def is_promotion_channel(self, name: str) -> bool:
        """True if the channel is one of the promotion channels (case-insensitive, '#' optional)."""
        wanted = normalize_channel(name)
        return any(normalize_channel(c) == wanted for c in self.channels.promotion)

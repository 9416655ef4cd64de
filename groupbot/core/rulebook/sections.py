"""The rulebook's tables other than the rules: community, channels, owners, welcome, ..."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from .defaults import DEFAULT_BATCH_TEXT, DEFAULT_NORMS, DEFAULT_NOTE_TEXT, DEFAULT_WELCOME_TEXT
from .fields import MAX_NAME_CHARS, Domain, Name, StrictModel, names_field, unique
from .templates import (
    BATCH_WELCOME_PLACEHOLDERS,
    NOTE_PLACEHOLDERS,
    WELCOME_PLACEHOLDERS,
    check_template,
)

Language = Literal["en", "es", "pt", "de", "fr", "ru"]
LANGUAGES: tuple[str, ...] = ("en", "es", "pt", "de", "fr", "ru")


class Community(StrictModel):
    """Who the community is and the norms it asks members to keep."""

    name: str = Field(
        default="",
        max_length=MAX_NAME_CHARS,
        description="Display name used in texts; empty means the platform's workspace/server name.",
    )
    norms: Annotated[tuple[Name, ...], AfterValidator(unique)] = names_field(
        "Community norms, listed in welcomes ({norms}) one per line.", DEFAULT_NORMS
    )
    language: Language = Field(
        default="en",
        description=(
            "Language of the bot's own texts: en, es, pt, de, fr or ru; "
            "texts the owners wrote are sent as written."
        ),
    )


class Channels(StrictModel):
    """Which channels play which role; names match case-insensitively, with or without '#'."""

    intro: Annotated[tuple[Name, ...], AfterValidator(unique)] = names_field(
        "Channels where newcomers introduce themselves; a post there marks them introduced.",
        ("introductions", "intros", "introduce-yourself", "say-hello"),
    )
    promotion: Annotated[tuple[Name, ...], AfterValidator(unique)] = names_field(
        "Channels meant for promotion, where the promotion rules do not apply.",
        ("promotions", "self-promo", "shameless-plugs"),
    )
    welcome: Name = Field(
        default="general",
        description="Channel where channel welcomes and batched welcomes are posted.",
    )
    moderators: str = Field(
        default="",
        max_length=MAX_NAME_CHARS,
        description="Owners' channel for approval notifications; empty means DM each owner.",
    )


class Owners(StrictModel):
    """People and roles with owner or moderator rights, beyond the platform's owners/admins."""

    members: Annotated[tuple[Name, ...], AfterValidator(unique)] = names_field(
        "Member ids with owner rights, besides the platform's owners and admins."
    )
    roles: Annotated[tuple[Name, ...], AfterValidator(unique)] = names_field(
        "Roles (Discord) or user groups (Slack) whose holders get owner rights."
    )
    moderators: Annotated[tuple[Name, ...], AfterValidator(unique)] = names_field(
        "Member ids with moderator rights: they may approve and deny requests."
    )

    def names_owner(self, member: str, roles: frozenset[str] = frozenset()) -> bool:
        """True if the rulebook itself grants owner rights to this member or one of their roles."""
        mine = {r.strip().casefold() for r in self.roles}
        return member.strip() in {m.strip() for m in self.members} or any(
            r.strip().casefold() in mine for r in roles
        )

    def names_moderator(self, member: str) -> bool:
        """True if the rulebook names this member as a moderator."""
        return member.strip() in {m.strip() for m in self.moderators}


class Watch(StrictModel):
    """How long a newcomer's posts are watched."""

    first_posts: int = Field(
        default=10, ge=0, le=10_000, description="Watch a newcomer's first N posts ..."
    )
    first_days: int = Field(
        default=14,
        ge=0,
        le=3650,
        description="... or for D days after joining; in any case until they have introduced.",
    )


class Welcome(StrictModel):
    """How newcomers are greeted."""

    enabled: bool = Field(default=True, description="Greet every newcomer.")
    mode: Literal["auto", "dm", "channel"] = Field(
        default="auto",
        description=(
            "'dm', 'channel', or 'auto': DM on Slack and in replay/console, "
            "a channel post on Discord."
        ),
    )
    dm_per_minute: int = Field(
        default=10,
        ge=1,
        le=120,
        description=(
            "Welcome DMs per minute per community; beyond it one channel post "
            "greets several newcomers by name."
        ),
    )
    text: str = Field(
        default=DEFAULT_WELCOME_TEXT,
        description="Welcome text; placeholders: {name} {community} {intro_channel} {norms}.",
    )
    batch_text: str = Field(
        default=DEFAULT_BATCH_TEXT,
        description=(
            "Text greeting several newcomers at once; "
            "placeholders: {names} {community} {intro_channel} {norms}."
        ),
    )

    @field_validator("text")
    @classmethod
    def _check_text(cls, value: str) -> str:
        """Only the welcome placeholders may be used."""
        return check_template(value, WELCOME_PLACEHOLDERS)

    @field_validator("batch_text")
    @classmethod
    def _check_batch_text(cls, value: str) -> str:
        """Only the batch-welcome placeholders may be used."""
        return check_template(value, BATCH_WELCOME_PLACEHOLDERS)

    def resolved_mode(self, platform: str) -> Literal["dm", "channel"]:
        """The concrete mode on a platform ('slack', 'discord', 'replay', 'console')."""
        if self.mode != "auto":
            return self.mode
        return "channel" if platform.strip().casefold() == "discord" else "dm"


class Detection(StrictModel):
    """Tuning for the promotion detector."""

    threshold: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Promotion score (0..1) at or above which a post counts as promotional.",
    )
    allow_domains: Annotated[tuple[Domain, ...], AfterValidator(unique)] = names_field(
        "Domains (and their subdomains) never counted as self-promotion, e.g. the community's site."
    )
    allow_invites: Annotated[tuple[Name, ...], AfterValidator(unique)] = names_field(
        "Invite codes or URLs that are fine to post: the community's own groups."
    )
    extra_cta_phrases: Annotated[tuple[Name, ...], AfterValidator(unique)] = names_field(
        "Extra call-to-action phrases to treat as promotional."
    )

    def allows_domain(self, host: str) -> bool:
        """True if host is an allowed domain or a subdomain of one (case-insensitive)."""
        host = host.strip().lower().rstrip(".")
        for entry in self.allow_domains:
            domain = entry.strip().lower().rstrip(".").removeprefix("*.")
            if host == domain or host.endswith("." + domain):
                return True
        return False


class Notes(StrictModel):
    """The private etiquette note and when repeated notes alert the owners."""

    text: str = Field(
        default=DEFAULT_NOTE_TEXT,
        description=(
            "The etiquette note sent to a member; "
            "placeholders: {name} {quote} {why} {how_to_ask} {community}."
        ),
    )
    escalate_after: int = Field(
        default=3,
        ge=0,
        le=1000,
        description="The Nth note in the window also alerts the owners (never a ban); 0 = never.",
    )
    escalate_window_days: int = Field(
        default=30, ge=1, le=3650, description="Days over which notes are counted for escalation."
    )

    @field_validator("text")
    @classmethod
    def _check_text(cls, value: str) -> str:
        """Only the note placeholders may be used."""
        return check_template(value, NOTE_PLACEHOLDERS)


class Approvals(StrictModel):
    """Timing and effect of the owners' approval queue."""

    remind_after_hours: int = Field(
        default=24,
        ge=0,
        le=8760,
        description="Remind owners of a request still pending after this many hours; 0 = never.",
    )
    expire_after_hours: int = Field(
        default=72,
        validate_default=True,
        ge=1,
        le=8760,
        description="A request nobody decided expires after this many hours.",
    )
    on_approve: Literal["publish", "pass"] = Field(
        default="publish",
        description=(
            "'publish': the bot reposts the post with attribution; "
            "'pass': the member gets a one-time pass to post it."
        ),
    )

    @field_validator("expire_after_hours")
    @classmethod
    def _after_reminder(cls, value: int, info: ValidationInfo) -> int:
        """A request must not expire before its reminder is due."""
        remind = info.data.get("remind_after_hours")
        if isinstance(remind, int) and remind and value <= remind:
            raise ValueError(
                f"must be greater than approvals.remind_after_hours ({remind}), "
                "so owners are reminded before a request expires"
            )
        return value


class Retention(StrictModel):
    """How long message text is kept."""

    message_days: int = Field(
        default=30,
        ge=0,
        le=3650,
        description=(
            "Days message text is kept in audit evidence and decided requests; "
            "0 = none after the decision."
        ),
    )


class FirstRun(StrictModel):
    """How groupbot starts in a community it was just installed in."""

    shadow_days: int = Field(
        default=7,
        ge=0,
        le=365,
        description=(
            "Days a newly installed community starts in shadow mode, so its owners can watch "
            "what the bot would do; 0 = no shadow period."
        ),
    )


class History(StrictModel):
    """What the bot may read of a community's past when it is installed."""

    enabled: bool = Field(
        default=True,
        description=(
            "Read recent history once at install, so regulars are known on day one; "
            "nothing is sent for it."
        ),
    )
    days: int = Field(
        default=30, ge=0, le=365, description="How many days back the install read goes."
    )
    max_per_channel: int = Field(
        default=2000, ge=0, le=100_000, description="Most past messages read in one channel."
    )
    max_channels: int = Field(
        default=200, ge=0, le=10_000, description="Most channels whose history is read."
    )

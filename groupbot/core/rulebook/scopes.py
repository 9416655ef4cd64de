"""The etiquette rules' tables: the scope every rule shares and each rule's own settings."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from .fields import Name, StrictModel, names_field, normalize_channel, unique


class RuleScope(StrictModel):
    """Settings every rule shares: on/off, where it applies, who is exempt, hold or note."""

    enabled: bool = Field(default=True, description="Whether the rule runs at all.")
    channels: Annotated[tuple[Name, ...], AfterValidator(unique)] = names_field(
        "Channels the rule applies in; empty means all channels."
    )
    exempt_channels: Annotated[tuple[Name, ...], AfterValidator(unique)] = names_field(
        "Channels where the rule never applies."
    )
    exempt_roles: Annotated[tuple[Name, ...], AfterValidator(unique)] = names_field(
        "Roles or user groups whose holders are exempt."
    )
    exempt_members: Annotated[tuple[Name, ...], AfterValidator(unique)] = names_field(
        "Member ids that are exempt."
    )
    hold: bool = Field(
        default=False,
        description="Hold a matching post (remove it, queue it for approval), not only note it.",
    )

    def applies(self, channel: str, roles: frozenset[str], member: str) -> bool:
        """True if the rule is enabled, the channel is in scope and the member is not exempt."""
        if not self.enabled:
            return False
        here = normalize_channel(channel)
        if self.channels and here not in {normalize_channel(c) for c in self.channels}:
            return False
        if here in {normalize_channel(c) for c in self.exempt_channels}:
            return False
        if member.strip() in {m.strip() for m in self.exempt_members}:
            return False
        exempt = {r.strip().casefold() for r in self.exempt_roles}
        return not any(r.strip().casefold() in exempt for r in roles)


class PromoteBeforeIntroduce(RuleScope):
    """A newcomer promotes before introducing themselves."""

    hold: bool = Field(
        default=True, description="Hold a promotion posted before the member introduced."
    )


class SelfPromoRatio(RuleScope):
    """A member's promotional posts exceed their share of all their posts (the 90/10 rule)."""

    hold: bool = Field(default=False, description="Hold posts over the budget instead of noting.")
    window_days: int = Field(
        default=30, ge=1, le=3650, description="Days of posting history the share is computed over."
    )
    max_share: float = Field(
        default=0.10,
        ge=0.0,
        le=1.0,
        description="Largest share (0..1) of a member's posts in the window that may promote.",
    )
    min_allowed: int = Field(
        default=1,
        ge=0,
        le=10_000,
        description="Promotional posts always allowed in the window, whatever the share.",
    )
    min_posts: int = Field(
        default=10,
        ge=1,
        le=10_000,
        description="Posts of a member the bot must have seen in the window before it judges "
        "their share (no 90/10 note before then).",
    )


class InviteLink(RuleScope):
    """An invite to another server, workspace or group."""

    hold: bool = Field(
        default=False, description="Hold invites from members who are no longer watched."
    )
    hold_watched: bool = Field(default=True, description="Hold invites from watched newcomers.")


class LinkFlood(RuleScope):
    """Too many links in one post."""

    hold: bool = Field(default=True, description="Hold a post with too many links.")
    max_links_watched: int = Field(
        default=2,
        ge=0,
        le=1000,
        description="Most links allowed in one post by a watched newcomer.",
    )
    max_links: int = Field(
        default=5,
        validate_default=True,
        ge=1,
        le=1000,
        description="Most links allowed in one post by anyone else.",
    )

    @field_validator("max_links")
    @classmethod
    def _not_below_watched(cls, value: int, info: ValidationInfo) -> int:
        """Newcomers must not be allowed more links than everyone else."""
        watched = info.data.get("max_links_watched")
        if isinstance(watched, int) and value < watched:
            raise ValueError(
                f"must be at least rules.link_flood.max_links_watched ({watched}): "
                "newcomers may not post more links than established members"
            )
        return value


class CrossPost(RuleScope):
    """The same message blasted into several channels."""

    hold: bool = Field(default=True, description="Hold the copies after the first.")
    min_channels: int = Field(
        default=3,
        ge=2,
        le=1000,
        description="Number of channels the same message must reach to count as a cross-post.",
    )
    window_minutes: int = Field(
        default=10, ge=1, le=10_080, description="Minutes within which the copies must be posted."
    )
    similarity: float = Field(
        default=0.9,
        ge=0.0,
        le=1.0,
        description="Text similarity (0..1) at or above which two posts count as the same message.",
    )


class Rules(StrictModel):
    """The etiquette rules, each with its own scope and settings."""

    promote_before_introduce: PromoteBeforeIntroduce = Field(
        default_factory=PromoteBeforeIntroduce,
        description="A newcomer promotes before introducing themselves.",
    )
    self_promo_ratio: SelfPromoRatio = Field(
        default_factory=SelfPromoRatio,
        description="A member is past their self-promotion budget (90/10).",
    )
    invite_link: InviteLink = Field(
        default_factory=InviteLink,
        description="An invite to another server, workspace or group.",
    )
    link_flood: LinkFlood = Field(
        default_factory=LinkFlood,
        description="Too many links in one post (links to docs, wikis, pastebins and bug "
        "trackers do not count: they are an answer's sources).",
    )
    cross_post: CrossPost = Field(
        default_factory=CrossPost, description="The same message posted to many channels."
    )

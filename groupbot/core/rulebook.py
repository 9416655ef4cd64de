"""The rulebook: a strict, documented TOML configuration for one community."""

from __future__ import annotations

import bisect
import contextlib
import difflib
import math
import os
import re
import string
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

__all__ = [
    "BATCH_WELCOME_PLACEHOLDERS",
    "MAX_RULEBOOK_BYTES",
    "NOTE_PLACEHOLDERS",
    "WELCOME_PLACEHOLDERS",
    "Approvals",
    "Channels",
    "Community",
    "CrossPost",
    "Detection",
    "InviteLink",
    "LinkFlood",
    "Notes",
    "Owners",
    "PromoteBeforeIntroduce",
    "Retention",
    "RuleScope",
    "Rulebook",
    "RulebookError",
    "RulebookIssue",
    "Rules",
    "SelfPromoRatio",
    "Watch",
    "Welcome",
    "load_rulebook",
    "normalize_channel",
    "parse_rulebook",
    "render_template",
    "rulebook_to_toml",
]

MAX_RULEBOOK_BYTES = 1_000_000
MAX_TEMPLATE_CHARS = 2000
MAX_LIST_ITEMS = 1000
MAX_NAME_CHARS = 200

WELCOME_PLACEHOLDERS = frozenset({"name", "community", "intro_channel", "norms"})
BATCH_WELCOME_PLACEHOLDERS = frozenset({"names", "community", "intro_channel", "norms"})
NOTE_PLACEHOLDERS = frozenset({"name", "quote", "why", "how_to_ask", "community"})


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True, slots=True)
class RulebookIssue:
    """One problem found in a rulebook: where it is and what is wrong."""

    source: str
    line: int | None
    path: str
    problem: str
    column: int | None = None

    def __str__(self) -> str:
        """Render as '<source>:<line>[:<col>]: <path>: <problem>'."""
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.path}: {self.problem}" if self.path else f"{where}: {self.problem}"


class RulebookError(ValueError):
    """A rulebook that cannot be used, with the file, line and key at fault."""

    def __init__(self, issues: list[RulebookIssue] | RulebookIssue) -> None:
        """Build from one or more issues; the message is the first, plus a count of the rest."""
        found = [issues] if isinstance(issues, RulebookIssue) else list(issues)
        if not found:
            raise ValueError("RulebookError needs at least one issue")
        self.issues: tuple[RulebookIssue, ...] = tuple(found)
        first = found[0]
        self.source: str = first.source
        self.line: int | None = first.line
        self.path: str = first.path
        self.problem: str = first.problem
        message = str(first)
        if len(found) > 1:
            rest = len(found) - 1
            message += f" (and {rest} more problem{'s' if rest > 1 else ''})"
        super().__init__(message)


# --------------------------------------------------------------------------- helpers


def normalize_channel(name: str) -> str:
    """Normalize a channel name or id for comparison: trimmed, no leading '#', casefolded."""
    return name.strip().removeprefix("#").strip().casefold()


def _template_fields(template: str) -> list[str]:
    """Return the placeholder names used in a str.format template, rejecting unsafe forms."""
    names: list[str] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(
            f"malformed placeholder ({exc}); write {{{{ and }}}} for literal braces"
        ) from None
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if field == "" or not field.isidentifier():
            raise ValueError(
                f"placeholder {{{field}}} is not a plain name; use e.g. {{name}}, "
                "and write {{ and }} for literal braces"
            )
        if spec or conversion:
            raise ValueError(f"placeholder {{{field}}} must be plain, without '!' or ':' parts")
        names.append(field)
    return names


def _check_template(template: str, allowed: frozenset[str]) -> str:
    """Validate a message template: non-empty, bounded, and only allowed placeholders."""
    if not template.strip():
        raise ValueError("must not be empty")
    if len(template) > MAX_TEMPLATE_CHARS:
        raise ValueError(
            f"is {len(template)} characters long; at most {MAX_TEMPLATE_CHARS} are allowed"
        )
    for name in _template_fields(template):
        if name not in allowed:
            known = ", ".join("{" + a + "}" for a in sorted(allowed))
            raise ValueError(f"unknown placeholder {{{name}}} (allowed: {known})")
    return template


def render_template(template: str, values: Mapping[str, str]) -> str:
    """Fill a validated template's plain {placeholders} from values; a missing name is KeyError."""
    out: list[str] = []
    for literal, field, _spec, _conv in string.Formatter().parse(template):
        out.append(literal)
        if field is not None:
            out.append(values[field])
    return "".join(out)


def _non_blank(value: str) -> str:
    """Reject empty or whitespace-only strings and overly long ones."""
    if not value.strip():
        raise ValueError("must not be empty")
    if len(value) > MAX_NAME_CHARS:
        raise ValueError(f"is longer than {MAX_NAME_CHARS} characters")
    return value


def _unique(values: tuple[str, ...]) -> tuple[str, ...]:
    """Reject duplicate entries in a list setting."""
    seen: set[str] = set()
    for value in values:
        key = value.strip().casefold()
        if key in seen:
            raise ValueError(f"lists {value!r} more than once")
        seen.add(key)
    return values


_DOMAIN_RE = re.compile(
    r"^(?=.{1,253}$)(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*"
    r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
)


def _domain(value: str) -> str:
    """Accept a bare domain such as example.com (optionally *.example.com)."""
    if "://" in value or "/" in value:
        raise ValueError(f"{value!r} is a URL; write the bare domain, like example.com")
    if not _DOMAIN_RE.match(value.strip().lower().rstrip(".")):
        raise ValueError(f"{value!r} is not a domain name like example.com")
    return value


Name = Annotated[str, AfterValidator(_non_blank)]
Domain = Annotated[str, AfterValidator(_domain)]


def _names(description: str, default: tuple[str, ...] = ()) -> Any:
    """A list-of-names field: TOML array of non-empty strings, stored as a tuple."""
    return Field(default=default, description=description, strict=False, max_length=MAX_LIST_ITEMS)


class _Model(BaseModel):
    """Base for every rulebook table: strict types, unknown keys rejected, immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# --------------------------------------------------------------------------- sections


DEFAULT_NORMS: tuple[str, ...] = (
    "Introduce yourself in the intro channel before promoting anything.",
    "Keep self-promotion to about one post in ten; sharing other people's good work is welcome.",
    "Ask the owners before sharing a promotion: use /share.",
)

DEFAULT_WELCOME_TEXT = (
    "Hi {name}, welcome to {community}! We're really glad you're here.\n"
    "\n"
    "When you have a minute, say hello in {intro_channel}: who you are, what you work on "
    "and what brought you here. It's the quickest way to meet people.\n"
    "\n"
    "A few things we care about here:\n"
    "{norms}\n"
    "\n"
    "What are you hoping to find or learn here? Reply any time, we'd love to hear."
)

DEFAULT_BATCH_TEXT = (
    "Welcome to {community}, {names}! Great to have you with us.\n"
    "\n"
    "Please say hello in {intro_channel} and tell us a little about yourselves: "
    "what you work on and what brought you here.\n"
    "\n"
    "A few things we care about here:\n"
    "{norms}\n"
    "\n"
    "We're looking forward to getting to know you."
)

DEFAULT_NOTE_TEXT = (
    "Hi {name}, thanks for joining the conversation in {community}! "
    "Just a friendly note.\n"
    "\n"
    "You posted:\n"
    "{quote}\n"
    "\n"
    "{why}\n"
    "\n"
    "{how_to_ask}\n"
    "\n"
    "Thanks for understanding: we want {community} to stay a place where everyone, "
    "you included, enjoys talking. If anything's unclear, just reply here."
)


class Community(_Model):
    """Who the community is and the norms it asks members to keep."""

    name: str = Field(
        default="",
        max_length=MAX_NAME_CHARS,
        description="Display name used in texts; empty means the platform's workspace/server name.",
    )
    norms: Annotated[tuple[Name, ...], AfterValidator(_unique)] = _names(
        "Community norms, listed in welcomes ({norms}) one per line.", DEFAULT_NORMS
    )


class Channels(_Model):
    """Which channels play which role; names match case-insensitively, with or without '#'."""

    intro: Annotated[tuple[Name, ...], AfterValidator(_unique)] = _names(
        "Channels where newcomers introduce themselves; a post there marks them introduced.",
        ("introductions", "intros", "introduce-yourself", "say-hello"),
    )
    promotion: Annotated[tuple[Name, ...], AfterValidator(_unique)] = _names(
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


class Owners(_Model):
    """People and roles with owner or moderator rights, beyond the platform's owners/admins."""

    members: Annotated[tuple[Name, ...], AfterValidator(_unique)] = _names(
        "Member ids with owner rights, besides the platform's owners and admins."
    )
    roles: Annotated[tuple[Name, ...], AfterValidator(_unique)] = _names(
        "Roles (Discord) or user groups (Slack) whose holders get owner rights."
    )
    moderators: Annotated[tuple[Name, ...], AfterValidator(_unique)] = _names(
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


class Watch(_Model):
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


class Welcome(_Model):
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
        return _check_template(value, WELCOME_PLACEHOLDERS)

    @field_validator("batch_text")
    @classmethod
    def _check_batch_text(cls, value: str) -> str:
        """Only the batch-welcome placeholders may be used."""
        return _check_template(value, BATCH_WELCOME_PLACEHOLDERS)

    def resolved_mode(self, platform: str) -> Literal["dm", "channel"]:
        """The concrete mode on a platform ('slack', 'discord', 'replay', 'console')."""
        if self.mode != "auto":
            return self.mode
        return "channel" if platform.strip().casefold() == "discord" else "dm"


class Detection(_Model):
    """Tuning for the promotion detector."""

    threshold: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Promotion score (0..1) at or above which a post counts as promotional.",
    )
    allow_domains: Annotated[tuple[Domain, ...], AfterValidator(_unique)] = _names(
        "Domains (and their subdomains) never counted as self-promotion, e.g. the community's site."
    )
    allow_invites: Annotated[tuple[Name, ...], AfterValidator(_unique)] = _names(
        "Invite codes or URLs that are fine to post: the community's own groups."
    )
    extra_cta_phrases: Annotated[tuple[Name, ...], AfterValidator(_unique)] = _names(
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


class Notes(_Model):
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
        return _check_template(value, NOTE_PLACEHOLDERS)


class Approvals(_Model):
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


class Retention(_Model):
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


# --------------------------------------------------------------------------- rules


class RuleScope(_Model):
    """Settings every rule shares: on/off, where it applies, who is exempt, hold or note."""

    enabled: bool = Field(default=True, description="Whether the rule runs at all.")
    channels: Annotated[tuple[Name, ...], AfterValidator(_unique)] = _names(
        "Channels the rule applies in; empty means all channels."
    )
    exempt_channels: Annotated[tuple[Name, ...], AfterValidator(_unique)] = _names(
        "Channels where the rule never applies."
    )
    exempt_roles: Annotated[tuple[Name, ...], AfterValidator(_unique)] = _names(
        "Roles or user groups whose holders are exempt."
    )
    exempt_members: Annotated[tuple[Name, ...], AfterValidator(_unique)] = _names(
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


class Rules(_Model):
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
        default_factory=LinkFlood, description="Too many links in one post."
    )
    cross_post: CrossPost = Field(
        default_factory=CrossPost, description="The same message posted to many channels."
    )


class Rulebook(_Model):
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


# --------------------------------------------------------------------------- key locator

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_Path = tuple[str | int, ...]


class _Locator:
    """Map dotted key paths of a valid TOML document to the lines where they are written."""

    def __init__(self, text: str) -> None:
        """Scan text once, recording the line of every table header, key and array item."""
        self.text = text
        self.pos = 0
        self.newlines = [i for i, ch in enumerate(text) if ch == "\n"]
        self.lines: dict[_Path, int] = {}
        self._last = -1
        with contextlib.suppress(IndexError, ValueError):  # best effort: keep what was found
            self._document()

    def line_at(self, pos: int) -> int:
        """1-based line number of a character offset."""
        return bisect.bisect_left(self.newlines, pos) + 1

    def _record(self, path: _Path, pos: int) -> None:
        """Remember where a path first appears (and its parents, if not yet seen)."""
        for n in range(1, len(path) + 1):
            self.lines.setdefault(path[:n], self.line_at(pos))

    def _peek(self, n: int = 1) -> str:
        """The next n characters."""
        return self.text[self.pos : self.pos + n]

    def _skip_space(self, newlines: bool = False) -> None:
        """Skip blanks, and optionally newlines and comments."""
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch in " \t" or (newlines and ch in "\r\n"):
                self.pos += 1
            elif newlines and ch == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                return

    def _progress(self) -> None:
        """Stop scanning at the end of the text or when a loop stops advancing."""
        if self.pos >= len(self.text) or self.pos == self._last:
            raise ValueError("stuck")
        self._last = self.pos

    def _skip_line(self) -> None:
        """Skip to the start of the next line."""
        end = self.text.find("\n", self.pos)
        self.pos = len(self.text) if end < 0 else end + 1

    def _document(self) -> None:
        """Walk headers and key/value lines."""
        table: tuple[str, ...] = ()
        while True:
            self._skip_space(newlines=True)
            if self.pos >= len(self.text):
                return
            start = self.pos
            if self._peek(2) == "[[":
                self.pos += 2
                table = self._key("]]")
                self.pos += 2
                self._record(table, start)
            elif self._peek() == "[":
                self.pos += 1
                table = self._key("]")
                self.pos += 1
                self._record(table, start)
            else:
                key = self._key("=")
                self.pos += 1
                self._record(table + key, start)
                self._value(table + key)
            self._skip_line()

    def _key(self, stop: str) -> tuple[str, ...]:
        """Read a (dotted) key up to the stop token, leaving pos at it."""
        parts: list[str] = []
        while True:
            self._skip_space()
            ch = self._peek()
            if ch == '"':
                parts.append(self._basic_string())
            elif ch == "'":
                end = self.text.index("'", self.pos + 1)
                parts.append(self.text[self.pos + 1 : end])
                self.pos = end + 1
            else:
                match = _BARE_KEY.match(self.text, self.pos)
                if not match:
                    raise ValueError("bad key")
                parts.append(match.group())
                self.pos = match.end()
            self._skip_space()
            if self._peek() == ".":
                self.pos += 1
                continue
            if self._peek(len(stop)) != stop:
                raise ValueError("bad key")
            return tuple(parts)

    def _basic_string(self) -> str:
        """Read a single-line basic string, returning its decoded text."""
        end = self.pos + 1
        while self.text[end] != '"':
            end += 2 if self.text[end] == "\\" else 1
        raw = self.text[self.pos : end + 1]
        self.pos = end + 1
        try:
            value = tomllib.loads(f"k = {raw}")["k"]
        except tomllib.TOMLDecodeError:
            return raw[1:-1]
        return value if isinstance(value, str) else raw[1:-1]

    def _value(self, path: _Path) -> None:
        """Skip one value, recording keys of inline tables and items of arrays."""
        self._skip_space()
        if self._peek(3) in ('"""', "'''"):
            quote = self._peek(3)
            end = self.pos + 3
            while end < len(self.text):
                if quote == '"""' and self.text[end] == "\\":
                    end += 2
                    continue
                if self.text.startswith(quote, end):
                    end += 3
                    while end < len(self.text) and self.text[end] == quote[0]:
                        end += 1
                    break
                end += 1
            self.pos = end
        elif self._peek() == '"':
            self._basic_string()
        elif self._peek() == "'":
            self.pos = self.text.index("'", self.pos + 1) + 1
        elif self._peek() == "[":
            self.pos += 1
            index = 0
            while True:
                self._skip_space(newlines=True)
                if self._peek() == "]":
                    self.pos += 1
                    return
                self._progress()
                self._record((*path, index), self.pos)
                self._value((*path, index))
                index += 1
                self._skip_space(newlines=True)
                if self._peek() == ",":
                    self.pos += 1
        elif self._peek() == "{":
            self.pos += 1
            while True:
                self._skip_space()
                if self._peek() == "}":
                    self.pos += 1
                    return
                self._progress()
                start = self.pos
                key = self._key("=")
                self.pos += 1
                self._record((*path, *key), start)
                self._value((*path, *key))
                self._skip_space()
                if self._peek() == ",":
                    self.pos += 1
        else:
            while self.pos < len(self.text) and self.text[self.pos] not in ",]}\n#":
                self.pos += 1

    def find(self, path: _Path) -> int | None:
        """Line of the longest prefix of path written in the document, if any."""
        for n in range(len(path), 0, -1):
            line = self.lines.get(path[:n])
            if line is not None:
                return line
        return None


# --------------------------------------------------------------------------- parsing

_TOML_TYPES: dict[type, str] = {
    bool: "boolean",
    int: "integer",
    float: "float",
    str: "string",
    list: "array",
    dict: "table",
}


def _toml_type(value: object) -> str:
    """The TOML name of a parsed value's type, with its article ('an integer')."""
    for kind, name in _TOML_TYPES.items():
        if type(value) is kind:
            return ("an " if name[0] in "aeiou" else "a ") + name
    return "a date/time" if value is not None else "nothing"


def _format_path(path: _Path) -> str:
    """Dotted TOML key path, with [i] for array items and quotes where needed."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            key = part if _BARE_KEY.fullmatch(part) else '"' + _escape(part) + '"'
            out += f".{key}" if out else key
    return out


def _allowed_keys(path: _Path) -> list[str]:
    """The keys allowed in the table at path, for 'did you mean' hints."""
    model: type[BaseModel] = Rulebook
    for part in path:
        if isinstance(part, int):
            return []
        field = model.model_fields.get(part)
        annotation = field.annotation if field else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)


def _describe(error: Mapping[str, Any], path: _Path) -> str:
    """A short, friendly description of one pydantic error."""
    kind = str(error.get("type", ""))
    value = error.get("input")
    ctx = error.get("ctx") or {}
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    if kind == "extra_forbidden":
        allowed = _allowed_keys(path[:-1])
        hint = ""
        close = difflib.get_close_matches(str(path[-1]), allowed, n=1)
        if close:
            hint = f"; did you mean {close[0]!r}?"
        elif allowed:
            hint = f"; allowed here: {', '.join(allowed)}"
        return f"unknown setting{hint}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = {
            "greater_than_equal": "at least",
            "less_than_equal": "at most",
            "greater_than": "more than",
            "less_than": "less than",
        }[kind]
        limit = next(iter(ctx.values()), "?")
        return f"must be {bound} {limit}, not {shown}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '?')}, not {shown}"
    if kind == "model_type":
        return f"must be a table, not {_toml_type(value)}"
    if kind in ("tuple_type", "list_type"):
        return f"must be an array, not {_toml_type(value)}"
    if kind == "too_long":
        return f"has too many entries (at most {ctx.get('max_length', '?')})"
    if kind == "string_too_long":
        return f"is too long (at most {ctx.get('max_length', '?')} characters)"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        expected = {
            "bool_type": "a boolean (true or false)",
            "int_type": "an integer",
            "float_type": "a number",
            "string_type": "a string",
        }.get(kind)
        if expected:
            return f"must be {expected}, not {_toml_type(value)} ({shown})"
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "invalid value")))
    return str(error.get("msg", "invalid value"))


def _finite(data: object, path: _Path = ()) -> Iterator[_Path]:
    """Yield paths of non-finite floats (inf, nan), which no setting accepts."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _finite(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _finite(value, (*path, index))
    elif isinstance(data, float) and not math.isfinite(data):
        yield path


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_TOML_END = re.compile(r"\s*\(at end of document\)$")


def _syntax_error(exc: tomllib.TOMLDecodeError, text: str, source: str) -> RulebookError:
    """Turn a tomllib error into '<source>:<line>:<col>: invalid TOML: ...'."""
    message = str(exc)
    line: int | None = None
    column: int | None = None
    position = _TOML_POSITION.search(message)
    if position:
        line, column = int(position.group(1)), int(position.group(2))
        message = message[: position.start()]
    elif end := _TOML_END.search(message):
        message = message[: end.start()]
        line = text.count("\n") + 1
        column = len(text) - (text.rfind("\n") + 1) + 1
    return RulebookError(RulebookIssue(source, line, "", f"invalid TOML: {message}", column))


def parse_rulebook(text: str, source: str = "<rulebook>") -> Rulebook:
    """Parse and validate rulebook TOML; a RulebookError names the line and key at fault."""
    if len(text) > MAX_RULEBOOK_BYTES:
        raise RulebookError(
            RulebookIssue(
                source,
                None,
                "",
                f"rulebook is too large ({len(text)} characters; at most {MAX_RULEBOOK_BYTES})",
            )
        )
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(exc, text, source) from None
    locator = _Locator(text)
    issues = [
        RulebookIssue(source, locator.find(p), _format_path(p), "must be a finite number")
        for p in _finite(data)
    ]
    if not issues:
        try:
            return Rulebook.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                path: _Path = tuple(error["loc"])
                issues.append(
                    RulebookIssue(
                        source, locator.find(path), _format_path(path), _describe(error, path)
                    )
                )
    issues.sort(key=lambda i: (i.line is None, i.line or 0))
    raise RulebookError(issues)


def load_rulebook(path: str | os.PathLike[str] | None) -> Rulebook:
    """Load a rulebook file; None gives the defaults; a missing or unreadable file is an error."""
    if path is None:
        return Rulebook()
    source = os.fspath(path)
    file = Path(source)
    try:
        if file.stat().st_size > MAX_RULEBOOK_BYTES:
            raise RulebookError(
                RulebookIssue(
                    source, None, "", f"rulebook is too large (at most {MAX_RULEBOOK_BYTES} bytes)"
                )
            )
        raw = file.read_bytes()
    except FileNotFoundError:
        raise RulebookError(RulebookIssue(source, None, "", "rulebook file not found")) from None
    except IsADirectoryError:
        raise RulebookError(
            RulebookIssue(source, None, "", "is a directory, not a rulebook file")
        ) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise RulebookError(
            RulebookIssue(source, None, "", f"cannot read rulebook: {reason}")
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise RulebookError(
            RulebookIssue(source, line, "", "invalid TOML: file is not UTF-8 text")
        ) from None
    return parse_rulebook(text, source)


# --------------------------------------------------------------------------- writing


def _escape(value: str, multiline: bool = False) -> str:
    """Escape text for a TOML basic string (multi-line keeps newlines and tabs)."""
    out: list[str] = []
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\n" if multiline else "\\n")
        elif ch == "\t":
            out.append("\t" if multiline else "\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def _toml_value(value: object) -> str:
    """Render one setting's value as TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        if "\n" in value:
            return '"""\n' + _escape(value, multiline=True) + '"""'
        return '"' + _escape(value) + '"'
    if isinstance(value, tuple | list):
        items = [_toml_value(v) for v in value]
        one_line = "[" + ", ".join(items) + "]"
        if len(one_line) <= 80:
            return one_line
        return "[\n" + "".join(f"    {item},\n" for item in items) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _write_table(model: BaseModel, header: str, out: list[str]) -> None:
    """Append a table's scalar settings (with descriptions as comments), then its sub-tables."""
    fields = type(model).model_fields
    scalars = [n for n in fields if not isinstance(getattr(model, n), BaseModel)]
    tables = [n for n in fields if isinstance(getattr(model, n), BaseModel)]
    if header and scalars:
        doc = (type(model).__doc__ or "").strip()
        out.append("")
        if doc:
            out.append(f"# {doc}")
        out.append(f"[{header}]")
    for name in scalars:
        description = fields[name].description
        if description:
            out.append(f"# {description}")
        out.append(f"{name} = {_toml_value(getattr(model, name))}")
    for name in tables:
        _write_table(getattr(model, name), f"{header}.{name}" if header else name, out)


def rulebook_to_toml(rb: Rulebook) -> str:
    """The effective rulebook as commented TOML, every setting written; parses back to rb."""
    out = ["# groupbot rulebook: the effective settings (see docs/rulebook.md)."]
    _write_table(rb, "", out)
    return "\n".join(out) + "\n"

"""The rulebook: a strict, documented TOML configuration for one community."""

from __future__ import annotations

from .errors import RulebookError, RulebookIssue
from .fields import normalize_channel
from .load import MAX_RULEBOOK_BYTES, load_rulebook, parse_rulebook, read_rulebook_text
from .schema import Rulebook
from .scopes import (
    CrossPost,
    InviteLink,
    LinkFlood,
    PromoteBeforeIntroduce,
    Rules,
    RuleScope,
    SelfPromoRatio,
)
from .sections import (
    LANGUAGES,
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
from .templates import (
    BATCH_WELCOME_PLACEHOLDERS,
    NOTE_PLACEHOLDERS,
    WELCOME_PLACEHOLDERS,
    render_template,
)
from .writer import rulebook_to_toml

__all__ = [
    "BATCH_WELCOME_PLACEHOLDERS",
    "LANGUAGES",
    "MAX_RULEBOOK_BYTES",
    "NOTE_PLACEHOLDERS",
    "WELCOME_PLACEHOLDERS",
    "Approvals",
    "Channels",
    "Community",
    "CrossPost",
    "Detection",
    "FirstRun",
    "History",
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
    "read_rulebook_text",
    "render_template",
    "rulebook_to_toml",
]

"""What every rule sees and returns: the context of one post and a finding."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from groupbot.core.detect import Analysis
from groupbot.core.rulebook import Rulebook, RuleScope
from groupbot.core.state import MemberState

__all__ = ["Finding", "Rule", "RuleContext"]


@dataclass(frozen=True, slots=True)
class RuleContext:
    """One post, its analysis, and the member who wrote it."""

    community: str
    member: MemberState
    channel: str
    message: str
    text: str
    at: datetime
    analysis: Analysis
    watched: bool
    promotion_channel: bool
    rulebook: Rulebook


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule that fired: which rule, on what evidence, against which threshold."""

    rule: str
    evidence: str
    detail: str
    threshold: str
    hold: bool
    also_hold: tuple[tuple[str, str], ...] = ()  # earlier copies to hold: (message, channel)


@dataclass(frozen=True, slots=True)
class Rule:
    """A registered rule: its name, where its settings live, and its matcher."""

    name: str
    scope: Callable[[Rulebook], RuleScope]
    match: Callable[[RuleContext], Finding | None]
    promotion_rule: bool = True

"""Build one rule's input by hand: a post's context with exactly the analysis a test needs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from groupbot.core.detect import Analysis, Link, Signal
from groupbot.core.rulebook import Rulebook
from groupbot.core.rules import RuleContext
from groupbot.core.state import MemberState

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def link(url: str, domain: str, **extra: Any) -> Link:
    """A link as the detectors report it (no invite, not allow-listed, unless said)."""
    fields: dict[str, Any] = {
        "url": url, "host": domain, "domain": domain, "invite": None, "invite_code": None,
        "shortener": False, "allowed": False, "label_domain": None,
    }  # fmt: skip
    return Link(**(fields | extra))


def analysis(
    *,
    promotional: bool = False,
    score: float = 0.0,
    reasons: tuple[Signal, ...] = (),
    links: tuple[Link, ...] = (),
    folded: str = "",
    introduction: bool = False,
) -> Analysis:
    """An analysis with only the parts a rule reads."""
    return Analysis(
        promotional=promotional, score=score, kind=None, reasons=reasons,
        introduction=introduction, intro_score=0.0, intro_reasons=(), links=links, folded=folded,
    )  # fmt: skip


def context(
    found: Analysis,
    *,
    rulebook: Rulebook | None = None,
    member: MemberState | None = None,
    watched: bool = True,
    channel: str = "general",
    message: str = "m1",
    minute: int = 0,
) -> RuleContext:
    """One post's context for a rule."""
    return RuleContext(
        community="c1",
        member=member or MemberState("ann", T0),
        channel=channel,
        message=message,
        text=found.folded,
        at=T0 + timedelta(minutes=minute),
        analysis=found,
        watched=watched,
        promotion_channel=False,
        rulebook=rulebook or Rulebook(),
    )

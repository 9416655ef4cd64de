"""The detector's value types: signals, links, analyses and configuration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, NamedTuple

from .normalize import fingerprint

__all__ = [
    "NO_CONVERSATION",
    "Analysis",
    "Conversation",
    "DetectorConfig",
    "Link",
    "Message",
    "Signal",
]


# Signal, Link and Analysis are named tuples rather than frozen dataclasses: as immutable, and
# several times cheaper to make (most of all once mypyc compiles them), which classify feels.


class Signal(NamedTuple):
    """One piece of evidence: its kind, the exact span, a friendly reason and its weight."""

    signal: str
    evidence: str
    detail: str
    weight: float


class Link(NamedTuple):
    """A link found in a message, however it was written."""

    url: str
    host: str
    domain: str
    invite: str | None
    invite_code: str | None
    shortener: bool
    allowed: bool
    label_domain: str | None
    affiliate: str | None = None


class Analysis(NamedTuple):
    """What the detectors concluded about one message, with their reasons."""

    promotional: bool
    score: float
    kind: str | None
    reasons: tuple[Signal, ...]
    introduction: bool
    intro_score: float
    intro_reasons: tuple[Signal, ...]
    links: tuple[Link, ...]
    folded: str
    language: str | None = None  # ISO 639-1 code of the message's language, when known

    @property
    def fingerprint(self) -> str:
        """The near-duplicate fingerprint of the message (computed when asked for)."""
        return fingerprint(self.folded)


@dataclass(frozen=True, slots=True)
class Conversation:
    """What the platform says about where a message sits in the conversation."""

    reply: bool = False  # it answers another message (a reply, `reply_to`)
    thread: bool = False  # it is posted inside a thread, not as the thread's start
    mentions: int = 0  # members it mentions through the platform (not counting @here/@channel)
    after_question: bool = False  # someone else asked a question in the channel just before


NO_CONVERSATION: Final = Conversation()


class Message(NamedTuple):
    """One message to analyse, with what the platform says about it (`Detector.analyze_many`)."""

    text: str
    intro_channel: bool = False
    own_domains: frozenset[str] = frozenset()
    conversation: Conversation = NO_CONVERSATION


@dataclass(frozen=True, slots=True)
class DetectorConfig:
    """A community's detector settings."""

    threshold: float = 0.5
    allow_domains: frozenset[str] = frozenset()
    allow_invites: frozenset[str] = frozenset()
    extra_cta_phrases: tuple[str, ...] = ()
    use_model: bool = True
    intro_threshold: float = 0.5


_SIGNALS: Final[dict[tuple[str, str, str, float], Signal]] = {}
_SIGNALS_MAX: Final = 1 << 16


def make_signal(signal: str, evidence: str, detail: str, weight: float) -> Signal:
    """A Signal, shared with earlier messages that had the same one (they are immutable)."""
    key = (signal, evidence, detail, weight)
    found = _SIGNALS.get(key)
    if found is None:
        if len(_SIGNALS) >= _SIGNALS_MAX:
            _SIGNALS.clear()
        found = _SIGNALS[key] = Signal(signal, evidence, detail, weight)
    return found

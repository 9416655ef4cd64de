"""Trigger words: which of a message's words can start a phrase pattern, found in one pass."""

from __future__ import annotations

from typing import Final

from .introduction import TRIGGERS as INTRO_TRIGGERS
from .promotion import TRIGGERS as PROMOTION_TRIGGERS

__all__ = ["trigger_words"]

_ALL: Final = PROMOTION_TRIGGERS | INTRO_TRIGGERS  # one set lookup a word serves both


def trigger_words(words: list[str]) -> tuple[list[str], list[str]]:
    """The distinct promotion and the distinct introduction trigger words among words, sorted."""
    # Sorted, never a set's order: that changes with each process's string hashing, and with it
    # which piece of evidence a verdict quotes.
    found = _ALL.intersection(words)
    if not found:
        return [], []
    return sorted(found & PROMOTION_TRIGGERS), sorted(found & INTRO_TRIGGERS)

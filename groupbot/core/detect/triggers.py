"""Trigger words: which of a message's words can start a phrase pattern, found in one pass."""

from __future__ import annotations

from typing import Final

from .introduction import TRIGGERS as INTRO_TRIGGERS
from .promotion import TRIGGERS as PROMOTION_TRIGGERS

__all__ = ["trigger_words"]

_PROMOTION: Final = 1
_INTRODUCTION: Final = 2
# Each trigger word and the detectors it matters to (one lookup a word serves both).
_KINDS: Final[dict[str, int]] = {
    word: (_PROMOTION if word in PROMOTION_TRIGGERS else 0)
    | (_INTRODUCTION if word in INTRO_TRIGGERS else 0)
    for word in PROMOTION_TRIGGERS | INTRO_TRIGGERS
}


def _distinct_sorted(hits: list[str]) -> list[str]:
    """Each hit once, sorted: the same order in every process."""
    # Never a set's order: it changes with each process's string hashing, and with it which
    # piece of evidence a verdict quotes. (Sorting a few hits is cheaper than text order.)
    if len(hits) < 2:
        return hits
    return sorted(set(hits))


def trigger_words(words: list[str]) -> tuple[list[str], list[str]]:
    """The distinct promotion and the distinct introduction trigger words among words, sorted."""
    promotion: list[str] = []
    introduction: list[str] = []
    kinds = _KINDS
    for w in words:
        kind = kinds.get(w)
        if kind is not None:
            if kind & _PROMOTION:
                promotion.append(w)
            if kind & _INTRODUCTION:
                introduction.append(w)
    return _distinct_sorted(promotion), _distinct_sorted(introduction)

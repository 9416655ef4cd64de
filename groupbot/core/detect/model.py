"""A small learned model (logistic regression weights) that works alongside the rule score.

Features are sparse binary keys: the message's distinct words, adjacent word pairs ("check out"),
five-letter word prefixes ("P:subsc" for subscribe/subscribed/subscribers), the rule signals
("S:link") and a few flags ("M:link", "M:intro", "M:neg"). `features` is shared by inference and
by scripts/train_detector.py, so both always see the same keys; `WordModel.score` computes the
same logit without building the key strings (inference only).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise, repeat
from typing import Final

import orjson

__all__ = ["MODEL_FILE", "Term", "Terms", "WordModel", "features", "load_model"]

MODEL_FILE: Final = "promotion_model.json"
# By name rather than __package__: the compiled copy of this module (groupbot.accel) reads the
# same file, and finding it must not import the pure package (which find_spec does not).
_DATA_PACKAGE: Final = "groupbot.core.detect"
_PREFIX: Final = 5


def features(
    words: list[str],
    wordset: set[str],
    signals: Iterable[str],
    *,
    link: bool,
    intro: bool,
    guarded: bool,
    cyrillic: bool = False,
) -> set[str]:
    """The model's feature keys for one message (words from promotion.spaced())."""
    keys = wordset.union(
        map(" ".join, pairwise(words)),
        ["P:" + w[:_PREFIX] for w in wordset if len(w) > _PREFIX],
        ["S:" + s for s in signals],
    )
    if link:
        keys.add("M:link")
    if intro:
        keys.add("M:intro")
    if guarded:
        keys.add("M:neg")
    if cyrillic:
        keys.add("M:cyr")  # a prior of its own for Cyrillic chat, not shared with English
    return keys


class Term:
    """A weighted word or word pair ("check out") of the model, as `top` reports it.

    One object per key, shared by every message that holds it: read it, never change it.
    """

    __slots__ = ("key", "weight")

    def __init__(self, key: str, weight: float) -> None:
        """Hold the feature key and its weight."""
        self.key = key
        self.weight = weight


# The weighted words and pairs one message holds, each once: words in text order, then pairs.
Terms = list[Term]


class _Word:
    """All the model knows of one word: its own weight, its prefix's, the pairs it starts."""

    __slots__ = ("pairs", "prefix", "prefix_weight", "term")

    def __init__(
        self,
        term: Term | None,
        prefix: str | None,
        prefix_weight: float,
        pairs: dict[str, Term] | None,
    ) -> None:
        """Hold one word's weights (prefix is None when the prefix carries no weight)."""
        self.term = term
        self.prefix = prefix
        self.prefix_weight = prefix_weight
        self.pairs = pairs


@dataclass(frozen=True, slots=True)
class WordModel:
    """Weights over feature keys; its logit is a full promotion score of its own."""

    bias: float
    weights: dict[str, float]
    # The weights split by kind (words never contain spaces or colons, so the kinds are disjoint):
    # each word with a weight or starting a weighted pair (one lookup per word in `score`),
    # prefixes, signal names, and flags.
    _vocabulary: dict[str, _Word] = field(init=False, repr=False, compare=False)
    _prefixes: dict[str, float] = field(init=False, repr=False, compare=False)
    _signals: dict[str, float] = field(init=False, repr=False, compare=False)
    _flags: tuple[float, float, float, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Split the weights by feature kind for `score`."""
        words: dict[str, Term] = {}
        pairs: dict[str, dict[str, Term]] = {}  # first word -> second word -> the pair
        prefixes: dict[str, float] = {}
        signals: dict[str, float] = {}
        for key, weight in self.weights.items():
            if key.startswith("P:"):
                prefixes[key[2:]] = weight
            elif key.startswith("S:"):
                signals[key[2:]] = weight
            elif key.startswith("M:"):
                continue
            elif " " in key:
                first, _, second = key.partition(" ")
                if " " not in second:  # a pair of words (a key with more spaces never matches)
                    pairs.setdefault(first, {})[second] = Term(key, weight)
            elif ":" not in key:
                words[key] = Term(key, weight)
        get = self.weights.get
        flags = (get("M:link", 0.0), get("M:intro", 0.0), get("M:neg", 0.0), get("M:cyr", 0.0))
        vocabulary: dict[str, _Word] = {}
        for word in (*words, *pairs):
            if word in vocabulary:
                continue
            prefix = word[:_PREFIX] if len(word) > _PREFIX else None
            prefix_weight = prefixes.get(prefix) if prefix is not None else None
            vocabulary[word] = _Word(
                words.get(word),
                prefix if prefix_weight is not None else None,
                prefix_weight or 0.0,
                pairs.get(word),
            )
        object.__setattr__(self, "_vocabulary", vocabulary)
        object.__setattr__(self, "_prefixes", prefixes)
        object.__setattr__(self, "_signals", signals)
        object.__setattr__(self, "_flags", flags)

    def logit(self, keys: set[str]) -> float:
        """The model's logit for a message's feature keys."""
        return self.bias + sum(map(self.weights.get, keys, repeat(0.0)))

    def strongest(
        self, keys: set[str], limit: int = 2, floor: float = 0.5
    ) -> list[tuple[str, float]]:
        """The words and word pairs that pushed the score up most, strongest first."""
        get = self.weights.get
        top = [(k, v) for k in keys if (v := get(k, 0.0)) >= floor and ":" not in k]
        top.sort(key=lambda s: (-s[1], s[0]))
        return [(w, round(v, 3)) for w, v in top[:limit]]

    def score(
        self,
        words: list[str],
        signals: Iterable[str],
        *,
        link: bool,
        intro: bool,
        guarded: bool,
        cyrillic: bool = False,
    ) -> tuple[float, Terms]:
        """The logit of `features(...)`, and the weighted words and pairs present (for `top`)."""
        # One loop over the words in text order: the sum's order (so its last bits) does not
        # depend on string hashing. Each word and pair is one Term object, so counting it once
        # needs no key.
        get = self._vocabulary.get
        prefix_get = self._prefixes.get
        total = self.bias
        terms: Terms = []
        counted: set[Term] = set()
        prefixes: set[str] = set()
        pairs: Terms = []  # counted after the words, as features() lists them
        seconds: dict[str, Term] | None = None  # the pairs the word before starts
        for w in words:
            if seconds is not None and (pair := seconds.get(w)) is not None:
                pairs.append(pair)
            entry = get(w)
            if entry is None:
                seconds = None
                if len(w) > _PREFIX:
                    prefix = w[:_PREFIX]
                    weight = prefix_get(prefix)
                    if weight is not None and prefix not in prefixes:
                        prefixes.add(prefix)
                        total += weight
                continue
            seconds = entry.pairs
            term = entry.term
            if term is not None and term not in counted:
                counted.add(term)
                terms.append(term)
                total += term.weight
            known_prefix = entry.prefix
            if known_prefix is not None and known_prefix not in prefixes:
                prefixes.add(known_prefix)
                total += entry.prefix_weight
        for pair in pairs:
            if pair not in counted:
                counted.add(pair)
                terms.append(pair)
                total += pair.weight
        signals_w = self._signals
        named: list[str] = []
        for name in signals:
            if name not in named:  # a handful of names at most
                named.append(name)
                total += signals_w.get(name, 0.0)
        link_w, intro_w, neg_w, cyr_w = self._flags
        if link:
            total += link_w
        if intro:
            total += intro_w
        if guarded:
            total += neg_w
        if cyrillic:
            total += cyr_w
        return total, terms

    def top(self, terms: Terms, limit: int = 2, floor: float = 0.5) -> list[tuple[str, float]]:
        """`strongest` over the words and pairs `score` found (the same, for floor > 0)."""
        # The few strongest kept in order as the terms go by: no sort of them all, no key calls.
        best: list[Term] = []
        for term in terms:
            weight = term.weight
            if weight < floor:
                continue
            at = len(best)
            while at > 0 and _ahead(term, best[at - 1]):
                at -= 1
            if at < limit:
                best.insert(at, term)
                if len(best) > limit:
                    best.pop()
        return [(t.key, round(t.weight, 3)) for t in best]


def _ahead(term: Term, other: Term) -> bool:
    """Whether term ranks before other: heavier first, then by key (as `strongest` sorts)."""
    if term.weight != other.weight:
        return term.weight > other.weight
    return term.key < other.key


@lru_cache(maxsize=1)
def load_model() -> WordModel:
    """Load the bundled model file shipped inside the package."""
    spec = importlib.util.find_spec(_DATA_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"package {_DATA_PACKAGE} is missing")
    path = os.path.join(next(iter(spec.submodule_search_locations)), "data", MODEL_FILE)
    with open(path, "rb") as fh:
        raw = fh.read()
    data = orjson.loads(raw)
    weights = {str(k): float(v) for k, v in data["weights"].items()}
    return WordModel(float(data["bias"]), weights)

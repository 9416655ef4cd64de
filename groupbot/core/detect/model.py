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

import orjson

__all__ = ["MODEL_FILE", "Terms", "WordModel", "features", "load_model"]

MODEL_FILE = "promotion_model.json"
# By name rather than __package__: the compiled copy of this module (groupbot.accel) reads the
# same file, and finding it must not import the pure package (which find_spec does not).
_DATA_PACKAGE = "groupbot.core.detect"
_PREFIX = 5
# The weighted words and (first, second) word pairs of one message.
Terms = dict[str | tuple[str, str], float]


def features(
    words: list[str],
    wordset: set[str],
    signals: Iterable[str],
    *,
    link: bool,
    intro: bool,
    guarded: bool,
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
    return keys


@dataclass(frozen=True, slots=True)
class WordModel:
    """Weights over feature keys; its logit is a full promotion score of its own."""

    bias: float
    weights: dict[str, float]
    # The weights split by kind (words never contain spaces or colons, so the kinds are disjoint):
    # words, (first, second) word pairs, prefixes, signal names, and flags.
    _words: dict[str, float] = field(init=False, repr=False, compare=False)
    _pairs: dict[str, dict[str, float]] = field(init=False, repr=False, compare=False)
    _prefixes: dict[str, float] = field(init=False, repr=False, compare=False)
    _signals: dict[str, float] = field(init=False, repr=False, compare=False)
    _flags: tuple[float, float, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Split the weights by feature kind for `score`."""
        words: dict[str, float] = {}
        pairs: dict[str, dict[str, float]] = {}  # first word -> second word -> weight
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
                    pairs.setdefault(first, {})[second] = weight
            elif ":" not in key:
                words[key] = weight
        get = self.weights.get
        flags = (get("M:link", 0.0), get("M:intro", 0.0), get("M:neg", 0.0))
        object.__setattr__(self, "_words", words)
        object.__setattr__(self, "_pairs", pairs)
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
    ) -> tuple[float, Terms]:
        """The logit of `features(...)`, and the weighted words and pairs present (for `top`)."""
        # Plain loops over the words in text order: about as fast as set algebra in CPython,
        # faster once mypyc compiles it (groupbot.accel), and the sum's order (so its last bits)
        # does not depend on string hashing.
        word_w = self._words
        prefix_w = self._prefixes
        present: Terms = {}
        total = self.bias
        prefixes: set[str] = set()
        for w in words:
            weight = word_w.get(w)
            if weight is not None and w not in present:
                present[w] = weight
                total += weight
            if len(w) > _PREFIX:
                prefix = w[:_PREFIX]
                weight = prefix_w.get(prefix)
                if weight is not None and prefix not in prefixes:
                    prefixes.add(prefix)
                    total += weight
        pairs = self._pairs
        first = words[0] if words else ""
        for i in range(1, len(words)):
            second = words[i]
            seconds = pairs.get(first)
            if seconds is not None:
                weight = seconds.get(second)
                if weight is not None:
                    pair = (first, second)
                    if pair not in present:
                        present[pair] = weight
                        total += weight
            first = second
        signals_w = self._signals
        for name in dict.fromkeys(signals):
            total += signals_w.get(name, 0.0)
        link_w, intro_w, neg_w = self._flags
        if link:
            total += link_w
        if intro:
            total += intro_w
        if guarded:
            total += neg_w
        return total, present

    def top(self, present: Terms, limit: int = 2, floor: float = 0.5) -> list[tuple[str, float]]:
        """`strongest` over the words and pairs `score` found (the same, for floor > 0)."""
        top = [
            (k if isinstance(k, str) else " ".join(k), v) for k, v in present.items() if v >= floor
        ]
        if len(top) > 1:
            top.sort(key=lambda s: (-s[1], s[0]))
        return [(w, round(v, 3)) for w, v in top[:limit]]


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

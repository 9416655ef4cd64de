"""A small learned model (logistic regression weights) that works alongside the rule score.

Features are sparse binary keys: the message's distinct words, adjacent word pairs ("check out"),
five-letter word prefixes ("P:subsc" for subscribe/subscribed/subscribers), the rule signals
("S:link") and a few flags ("M:link", "M:intro", "M:neg"). `features` is shared by inference and
by scripts/train_detector.py, so both always see the same keys.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise, repeat

__all__ = ["MODEL_FILE", "WordModel", "features", "load_model"]

MODEL_FILE = "promotion_model.json"
_PREFIX = 5


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


@lru_cache(maxsize=1)
def load_model() -> WordModel:
    """Load the bundled model file shipped inside the package."""
    raw = resources.files(__package__).joinpath("data", MODEL_FILE).read_bytes()
    data = json.loads(raw)
    weights = {str(k): float(v) for k, v in data["weights"].items()}
    return WordModel(float(data["bias"]), weights)

"""A small learned word model (logistic regression weights) that refines the rule score."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import repeat

__all__ = ["MODEL_FILE", "WordModel", "load_model"]

MODEL_FILE = "promotion_model.json"


@dataclass(frozen=True, slots=True)
class WordModel:
    """Weights over word tokens; its logit adds to the rule logit."""

    bias: float
    weights: dict[str, float]

    def logit(self, words: set[str]) -> float:
        """The model's contribution for a message's distinct words."""
        return self.bias + sum(map(self.weights.get, words, repeat(0.0)))

    def strongest(
        self, words: set[str], limit: int = 2, floor: float = 0.5
    ) -> list[tuple[str, float]]:
        """The words that pushed the score up most, strongest first."""
        get = self.weights.get
        scored = [(w, get(w, 0.0)) for w in words]
        top = sorted((s for s in scored if s[1] >= floor), key=lambda s: (-s[1], s[0]))[:limit]
        return [(w, round(v, 3)) for w, v in top]


@lru_cache(maxsize=1)
def load_model() -> WordModel:
    """Load the bundled model file shipped inside the package."""
    raw = resources.files(__package__).joinpath("data", MODEL_FILE).read_bytes()
    data = json.loads(raw)
    weights = {str(k): float(v) for k, v in data["weights"].items()}
    return WordModel(float(data["bias"]), weights)

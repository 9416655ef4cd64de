"""Train the promotion word model from data/tubespam (deterministic; needs numpy and scipy).

Usage: .venv/bin/python scripts/train_detector.py [--l2 L2] [--out PATH]
The model learns word weights on top of the rule score (the rule logit is a fixed offset),
so the rules keep their meaning and the model only corrects them.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import optimize, sparse

from groupbot.core.detect import DetectorConfig
from groupbot.core.detect.detector import Detector

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "tubespam"
OUT = ROOT / "groupbot" / "core" / "detect" / "data" / "promotion_model.json"
L2 = 1.0
MIN_COUNT = 2
PRUNE = 0.05
# Function words and link syntax carry no meaning of their own here (links are rule features);
# leaving them out keeps the model from learning TubeSpam's length and style quirks.
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "i'm",
        "im",
        "if",
        "in",
        "into",
        "is",
        "it",
        "it's",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "hi",
        "hello",
        "hey",
        "hiya",
        "everyone",
        "all",
        "guys",
        "folks",
        "http",
        "https",
        "www",
        "com",
        "net",
        "org",
        "html",
        "php",
    ]
)


def load(name: str) -> tuple[list[str], list[int]]:
    """Texts (HTML-unescaped) and labels (1 = spam) of one TubeSpam split."""
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [html.unescape(r["text"]) for r in rows], [int(r["label"]) for r in rows]


def features(texts: Sequence[str]) -> tuple[list[set[str]], np.ndarray]:
    """Distinct word tokens and the rule-only logit of each text."""
    rules = Detector(DetectorConfig(use_model=False))
    words: list[set[str]] = []
    offsets: list[float] = []
    for text in texts:
        ev = rules.evaluate(text, False, frozenset())
        words.append(ev.wordset)
        offsets.append(ev.rule_logit)
    return words, np.array(offsets)


def fit(
    texts: Sequence[str], labels: Sequence[int], l2: float = L2
) -> tuple[float, dict[str, float]]:
    """Fit bias and word weights by L2-regularised logistic regression with the rule offset."""
    words, offsets = features(texts)
    counts: dict[str, int] = {}
    for ws in words:
        for w in ws:
            counts[w] = counts.get(w, 0) + 1
    stop = STOPWORDS
    vocab = sorted(w for w, c in counts.items() if c >= MIN_COUNT and w not in stop)
    index = {w: i for i, w in enumerate(vocab)}
    rows, cols = [], []
    for r, ws in enumerate(words):
        for w in ws:
            if w in index:
                rows.append(r)
                cols.append(index[w])
    x = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(words), len(vocab)))
    y = np.where(np.array(labels) == 1, 1.0, -1.0)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        b, w = theta[0], theta[1:]
        z = y * (offsets + b + x @ w)
        value = float(np.logaddexp(0.0, -z).sum() + 0.5 * l2 * (w @ w))
        g = -y / (1.0 + np.exp(z))
        grad = np.concatenate(([g.sum()], x.T @ g + l2 * w))
        return value, grad

    result = optimize.minimize(
        loss, np.zeros(len(vocab) + 1), jac=True, method="L-BFGS-B", options={"maxiter": 2000}
    )
    theta = result.x
    weights = {
        w: round(float(v), 4) for w, v in zip(vocab, theta[1:], strict=True) if abs(v) >= PRUNE
    }
    return round(float(theta[0]), 4), dict(sorted(weights.items()))


def main() -> None:
    """Train on the train split and write the bundled model file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--l2", type=float, default=L2)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    texts, labels = load("tubespam_train.csv")
    bias, weights = fit(texts, labels, args.l2)
    payload = {
        "source": "data/tubespam/tubespam_train.csv (CC BY 4.0), scripts/train_detector.py",
        "l2": args.l2,
        "bias": bias,
        "weights": weights,
    }
    args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=0, sort_keys=True) + "\n")
    print(f"wrote {args.out} ({len(weights)} weights, {args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

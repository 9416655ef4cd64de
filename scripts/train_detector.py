"""Train the promotion model from repo data (deterministic; needs numpy and scipy).

Usage: .venv/bin/python scripts/train_detector.py [--l2 L2] [--out PATH]
Logistic regression over words, word pairs, word prefixes, the rule signals and a few flags
(groupbot.core.detect.model.features), on data/tubespam/tubespam_train.csv plus the
community-chat file data/community/community_train.jsonl. The detector combines it with the
rule score (see docs/detection.md); the validation split is never used here.
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
from groupbot.core.detect.detector import Detector, model_features

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "tubespam"
OUT = ROOT / "groupbot" / "core" / "detect" / "data" / "promotion_model.json"
COMMUNITY = ROOT / "data" / "community" / "community_train.jsonl"
L2 = 1.0
MIN_COUNT = 1
PRUNE = 0.02
# TubeSpam is YouTube comments; the community file is ordinary group chat (and a few pitches)
# written for training. It is repeated so the model learns that "check", "share", "please" or
# a link are normal in conversation, not only spam cues.
COMMUNITY_REPEAT = 4


def load(name: str) -> tuple[list[str], list[int]]:
    """Texts (HTML-unescaped) and labels (1 = spam) of one TubeSpam split."""
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [html.unescape(r["text"]) for r in rows], [int(r["label"]) for r in rows]


def load_community() -> tuple[list[str], list[int]]:
    """Texts and labels of the community-chat training file (never the tests' labelled set)."""
    rows = [json.loads(x) for x in COMMUNITY.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [str(r["text"]) for r in rows], [int(r["label"]) for r in rows]


def features(texts: Sequence[str]) -> list[set[str]]:
    """The model's feature keys for each text (the rule-only detector supplies the signals)."""
    rules = Detector(DetectorConfig(use_model=False))
    return [model_features(rules.evaluate(text, False, frozenset())) for text in texts]


def fit(
    texts: Sequence[str], labels: Sequence[int], l2: float = L2, community: bool = True
) -> tuple[float, dict[str, float]]:
    """Fit bias and weights by L2-regularised logistic regression (L-BFGS from zeros)."""
    texts, labels = list(texts), list(labels)
    if community:
        extra_texts, extra_labels = load_community()
        texts += extra_texts * COMMUNITY_REPEAT
        labels += extra_labels * COMMUNITY_REPEAT
    keys = features(texts)
    counts: dict[str, int] = {}
    for ks in keys:
        for k in ks:
            counts[k] = counts.get(k, 0) + 1
    vocab = sorted(k for k, c in counts.items() if c >= MIN_COUNT)
    index = {k: i for i, k in enumerate(vocab)}
    rows, cols = [], []
    for r, ks in enumerate(keys):
        for k in ks:
            if k in index:
                rows.append(r)
                cols.append(index[k])
    x = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(keys), len(vocab)))
    y = np.where(np.array(labels) == 1, 1.0, -1.0)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        b, w = theta[0], theta[1:]
        z = y * (b + x @ w)
        value = float(np.logaddexp(0.0, -z).sum() + 0.5 * l2 * (w @ w))
        g = -y / (1.0 + np.exp(z))
        grad = np.concatenate(([g.sum()], x.T @ g + l2 * w))
        return value, grad

    result = optimize.minimize(
        loss, np.zeros(len(vocab) + 1), jac=True, method="L-BFGS-B", options={"maxiter": 3000}
    )
    theta = result.x
    weights = {
        k: round(float(v), 3) for k, v in zip(vocab, theta[1:], strict=True) if abs(v) >= PRUNE
    }
    return round(float(theta[0]), 3), dict(sorted(weights.items()))


def main() -> None:
    """Train on the train split and write the bundled model file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--l2", type=float, default=L2)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    texts, labels = load("tubespam_train.csv")
    bias, weights = fit(texts, labels, args.l2)
    payload = {
        "source": "data/tubespam/tubespam_train.csv (CC BY 4.0), "
        "data/community/community_train.jsonl, scripts/train_detector.py",
        "l2": args.l2,
        "bias": bias,
        "weights": weights,
    }
    args.out.write_text(
        json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"
    )
    print(f"wrote {args.out} ({len(weights)} weights, {args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

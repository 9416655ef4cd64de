"""Train the promotion model (deterministic; needs numpy and scipy).

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
import zlib
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
UBUNTU = ROOT / "data" / "ubuntu_irc" / "ubuntu_train_sample.jsonl"
# Real support chat as ordinary conversation: each line of its train part weighs this much, so
# its 16,000 lines teach the words of conversation without swamping TubeSpam's 1,407 comments
# (a heavier weight lowers the bias until borderline spam is missed).
UBUNTU_WEIGHT = 0.5
PRIOR_SHIFT = 0.75
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


def held_out(key: str) -> bool:
    """One key in five is held out (the rule of benchmarks/detection.py's split())."""
    return zlib.crc32(key.encode("utf-8")) % 5 == 0


def load_ubuntu() -> tuple[list[str], list[int]]:
    """Ordinary support chat from the train part of data/ubuntu_irc (label 0)."""
    if not UBUNTU.exists():
        return [], []
    rows = [json.loads(x) for x in UBUNTU.read_text(encoding="utf-8").splitlines() if x.strip()]
    texts = [str(r["text"]) for r in rows if not held_out(str(r["id"]))]
    return texts, [0] * len(texts)


def features(texts: Sequence[str]) -> list[set[str]]:
    """The model's feature keys for each text (the rule-only detector supplies the signals)."""
    rules = Detector(DetectorConfig(use_model=False))
    return [model_features(rules.evaluate(text, False, frozenset())) for text in texts]


def fit(
    texts: Sequence[str], labels: Sequence[int], l2: float = L2, community: bool = True
) -> tuple[float, dict[str, float]]:
    """Fit bias and weights by L2-regularised logistic regression (L-BFGS from zeros)."""
    texts, labels = list(texts), list(labels)
    weight = [1.0] * len(texts)
    chat = 0.0
    if community:
        extra_texts, extra_labels = load_community()
        texts += extra_texts * COMMUNITY_REPEAT
        labels += extra_labels * COMMUNITY_REPEAT
        weight += [1.0] * (len(extra_texts) * COMMUNITY_REPEAT)
        chat_texts, chat_labels = load_ubuntu()
        texts += chat_texts
        labels += chat_labels
        weight += [UBUNTU_WEIGHT] * len(chat_texts)
        chat = UBUNTU_WEIGHT * len(chat_texts)
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
    sw = np.array(weight)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        b, w = theta[0], theta[1:]
        z = y * (b + x @ w)
        value = float((sw * np.logaddexp(0.0, -z)).sum() + 0.5 * l2 * (w @ w))
        g = -sw * y / (1.0 + np.exp(z))
        grad = np.concatenate(([g.sum()], x.T @ g + l2 * w))
        return value, grad

    result = optimize.minimize(
        loss, np.zeros(len(vocab) + 1), jac=True, method="L-BFGS-B", options={"maxiter": 3000}
    )
    theta = result.x
    # The chat lines teach words, not how common promotion is: the bias is put back to the prior
    # of the data without them (the log of how much more ordinary weight they added).
    ham = float(sw[y < 0].sum())
    theta[0] += PRIOR_SHIFT * float(np.log(ham / (ham - chat)))
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
        "data/community/community_train.jsonl, data/ubuntu_irc train part (CC BY 4.0), "
        "scripts/train_detector.py",
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

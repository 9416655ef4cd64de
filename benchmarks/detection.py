"""Measure the detectors: promotion on TubeSpam (train, val, 5-fold CV), introductions on ours.

Usage: .venv/bin/python benchmarks/detection.py [--no-cv]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

from projectenv import use_project_python

use_project_python()  # `python benchmarks/...` works outside the venv too

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from groupbot.core.detect import Detector, DetectorConfig  # noqa: E402
from groupbot.core.detect.detector import RULE_BIAS  # noqa: E402
from groupbot.core.detect.model import WordModel  # noqa: E402

COMMUNITY = ROOT / "tests" / "data" / "community_messages.jsonl"
INTRO_CHANNELS = frozenset({"introductions", "intros", "introduce-yourself", "say-hello"})


def _trainer() -> ModuleType:
    """Import scripts/train_detector.py (it needs numpy and scipy)."""
    spec = importlib.util.spec_from_file_location(
        "train_detector", ROOT / "scripts" / "train_detector.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def prf(pred: Sequence[bool], gold: Sequence[bool]) -> tuple[float, float, float]:
    """Precision, recall and F1."""
    tp = sum(p and g for p, g in zip(pred, gold, strict=True))
    fp = sum(p and not g for p, g in zip(pred, gold, strict=True))
    fn = sum(g and not p for p, g in zip(pred, gold, strict=True))
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def line(name: str, pred: Sequence[bool], gold: Sequence[bool]) -> None:
    """Print one row of figures."""
    p, r, f = prf(pred, gold)
    print(f"  {name:<34} precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}  (n={len(gold)})")


def promo(detector: Detector) -> Callable[[str], bool]:
    """A predicate: is this text promotional?"""
    return lambda text: detector.analyze(text).promotional


def cross_validate(texts: list[str], labels: list[int], folds: int = 5) -> None:
    """5-fold cross-validation of the trained model on the train split."""
    trainer = _trainer()
    order = list(range(len(texts)))
    random.Random(0).shuffle(order)
    pred: dict[int, bool] = {}
    for k in range(folds):
        held = set(order[k::folds])
        train = [i for i in order if i not in held]
        bias, weights = trainer.fit([texts[i] for i in train], [labels[i] for i in train])
        det = Detector(DetectorConfig())
        det._model = WordModel(bias, dict(weights))
        for i in held:
            pred[i] = det.analyze(texts[i]).promotional
    idx = sorted(pred)
    line("5-fold CV on train (model+rules)", [pred[i] for i in idx], [labels[i] == 1 for i in idx])


def community() -> None:
    """Introduction and promotion figures on tests/data/community_messages.jsonl."""
    rows = [json.loads(x) for x in COMMUNITY.read_text(encoding="utf-8").splitlines() if x.strip()]
    for use_model in (True, False):
        det = Detector(DetectorConfig(use_model=use_model))
        out = [
            det.analyze(r["text"], intro_channel=r.get("channel") in INTRO_CHANNELS) for r in rows
        ]
        tag = "model+rules" if use_model else "rules only"
        line(
            f"introduction ({tag})",
            [a.introduction for a in out],
            [r["introduction"] for r in rows],
        )
        line(f"promotional ({tag})", [a.promotional for a in out], [r["promotional"] for r in rows])


def adversarial() -> None:
    """Worst single-message time over adversarial 40,000-character inputs (uncached path)."""
    import time

    sys.path.insert(0, str(ROOT / "tests" / "core" / "detect"))
    from test_detect_properties import ADVERSARIAL

    det = Detector()
    worst = 0.0
    for text in ADVERSARIAL:
        det._analyze(text, False, frozenset())  # first use loads tables
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            det._analyze(text, False, frozenset())
            best = min(best, time.perf_counter() - start)
        worst = max(worst, best)
    print(f"Adversarial 40,000-character inputs: slowest {worst * 1000:.2f} ms (bar 5 ms)")


def main() -> None:
    """Print every figure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-cv", action="store_true", help="skip cross-validation (needs scipy)")
    args = parser.parse_args()
    trainer = _trainer() if not args.no_cv else None
    load = trainer.load if trainer else None
    if load is None:
        import csv
        import html

        def load(name: str) -> tuple[list[str], list[int]]:
            with (ROOT / "data" / "tubespam" / name).open(encoding="utf-8", newline="") as fh:
                rows = list(csv.DictReader(fh))
            return [html.unescape(r["text"]) for r in rows], [int(r["label"]) for r in rows]

    print(f"Promotion detector on TubeSpam (label 1 = spam; rule bias {RULE_BIAS})")
    print("  (model trained on train + data/community; CV holds out TubeSpam folds only)")
    for split in ("tubespam_train.csv", "tubespam_val.csv"):
        texts, labels = load(split)
        gold = [y == 1 for y in labels]
        for name, cfg in (
            ("model+rules", DetectorConfig()),
            ("rules only", DetectorConfig(use_model=False)),
        ):
            line(
                f"{split.split('_')[1][:-4]} ({name})",
                [promo(Detector(cfg))(t) for t in texts],
                gold,
            )
    if not args.no_cv:
        texts, labels = load("tubespam_train.csv")
        cross_validate(texts, labels)
    if COMMUNITY.exists():
        print("Community messages (tests/data/community_messages.jsonl)")
        community()
    adversarial()


if __name__ == "__main__":
    main()

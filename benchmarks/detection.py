"""Every figure of the detection table (issue 14), groupbot beside a TF-IDF + LinearSVC peer.

Usage: .venv/bin/python benchmarks/detection.py [--shared DIR] [--show-flagged] [--show-missed]
                                               [--no-peer]

Real sets are read from ../shared/data (or --shared): ubuntu_irc (ordinary support chat: the
promotional rate is the false-positive rate), telegram_ru (Russian spam and ham; read in place,
never copied), discord_intros (first posts of an #introductions channel, labelled by hand below)
and TubeSpam (its validation split is the held-out one: nothing here is fitted on it). Sets
that are absent are skipped. The peer is TF-IDF (words and word pairs) + LinearSVC trained on
TubeSpam's train split (needs scikit-learn, a dev dependency).

Where the model is fitted on a set (scripts/train_detector.py uses ubuntu_irc's `train` part),
the figure that counts is the `held-out` part: split() decides both, by a hash of the id.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

from projectenv import use_project_python

use_project_python()  # `python benchmarks/...` works outside the venv too

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import community_history  # noqa: E402

from groupbot.core.detect import Analysis, Detector  # noqa: E402

# Hand labels of data/discord_intros/komodo_intros.jsonl (its text stays out of the repository):
# which first posts are introductions, and which of those carry a pitch (an offer of services).
INTRO_IDS = frozenset(
    [
        "k1",
        "k4",
        "k5",
        "k6",
        "k7",
        "k8",
        "k9",
        "k10",
        "k11",
        "k13",
        "k14",
        "k17",
        "k18",
        "k19",
        "k23",
    ]
)  # k2 k3 k12 k15 k16 k20 k21 k22: replies, moderation, questions and chit-chat
PITCH_IDS = frozenset({"k10"})  # "if anyone needs 3D graphics hit me up"


def split(key: str) -> str:
    """`held-out` for one key in five (by a CRC of it), else `train`: the same in every run."""
    return "held-out" if zlib.crc32(key.encode("utf-8")) % 5 == 0 else "train"


def rate(flags: Sequence[bool]) -> str:
    """A share as a percentage with its counts."""
    n = len(flags)
    k = sum(flags)
    return f"{100 * k / n:5.2f}% ({k}/{n})" if n else "  n/a"


def prf(pred: Sequence[bool], gold: Sequence[bool]) -> tuple[float, float]:
    """Precision and recall."""
    tp = sum(p and g for p, g in zip(pred, gold, strict=True))
    fp = sum(p and not g for p, g in zip(pred, gold, strict=True))
    fn = sum(g and not p for p, g in zip(pred, gold, strict=True))
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def row(measure: str, ours: str, peer: str, bar: str) -> None:
    """One line of the table."""
    print(f"  {measure:<44} {ours:<24} {peer:<24} {bar}")


class Peer:
    """TF-IDF + LinearSVC trained on TubeSpam's train split."""

    def __init__(self, texts: list[str], labels: list[int]) -> None:
        """Fit the peer."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_pipeline
        from sklearn.svm import LinearSVC

        self.model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LinearSVC())
        self.model.fit(texts, labels)

    def __call__(self, texts: Sequence[str]) -> list[bool]:
        """Spam predictions."""
        return [bool(y) for y in self.model.predict(list(texts))]


def tubespam(shared: Path, name: str) -> tuple[list[str], list[int]]:
    """A TubeSpam split, HTML-unescaped (the repository's copy, else shared's)."""
    path = ROOT / "data" / "tubespam" / name
    if not path.exists():
        path = shared / "tubespam" / name
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [html.unescape(r["text"]) for r in rows], [int(r["label"]) for r in rows]


def jsonl(path: Path) -> list[dict[str, str]]:
    """The objects of a JSON Lines file."""
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def ubuntu_rows(shared: Path) -> list[dict[str, str]] | None:
    """The support-chat set (the repository's copy, else shared's), or None."""
    for path in (
        ROOT / "data" / "ubuntu_irc" / "ubuntu_train_sample.jsonl",
        shared / "ubuntu_irc" / "ubuntu_train_sample.jsonl",
    ):
        if path.exists():
            return jsonl(path)
    return None


def telegram_rows(shared: Path) -> list[tuple[str, int]] | None:
    """Russian Telegram (text, label) pairs, read in place, or None."""
    path = shared / "telegram_ru" / "telegram_spam_ru.csv"
    if not path.exists():
        return None
    with path.open(encoding="utf-8", newline="") as fh:
        return [(r["message"], int(r["label"])) for r in csv.DictReader(fh) if r["message"]]


def main() -> None:
    """Print every figure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--show-flagged", action="store_true", help="print flagged chat lines")
    parser.add_argument(
        "--show-missed", action="store_true", help="print TubeSpam val comments judged wrongly"
    )
    parser.add_argument("--no-peer", action="store_true", help="skip the TF-IDF + SVC peer")
    args = parser.parse_args()
    shared: Path = args.shared
    det = Detector(cache=False)
    analyze: Callable[..., Analysis] = det.analyze
    started = time.perf_counter()
    train_texts, train_labels = tubespam(shared, "tubespam_train.csv")
    peer = None if args.no_peer else Peer(train_texts, train_labels)
    none = "-"

    def peer_flags(texts: Sequence[str]) -> list[bool] | None:
        return peer(texts) if peer is not None else None

    print(f"{'':2}{'set / measure':<44} {'groupbot':<24} {'TF-IDF + LinearSVC':<24} bar")
    texts, labels = tubespam(shared, "tubespam_val.csv")
    val = [analyze(t) for t in texts]
    ours = [a.promotional for a in val]
    gold = [y == 1 for y in labels]
    missed = [
        f"{'missed' if g else 'false alarm'} {a.score:.3f} {[s.evidence for s in a.reasons]}: {t}"
        for t, a, g in zip(texts, val, gold, strict=True)
        if a.promotional != g
    ]
    p, r = prf(ours, gold)
    theirs = peer_flags(texts)
    pp, pr = prf(theirs, gold) if theirs is not None else (0.0, 0.0)
    peer_txt = f"P {pp:.3f} / R {pr:.3f}" if theirs is not None else none
    row(
        "TubeSpam val (held out): precision / recall",
        f"P {p:.3f} / R {r:.3f}",
        peer_txt,
        ">= 0.98 / >= 0.93",
    )

    rows = ubuntu_rows(shared)
    flagged_lines: list[str] = []
    if rows is not None:
        for part in ("held-out", "all"):
            sel = [x for x in rows if part == "all" or split(x["id"]) == part]
            verdicts = [analyze(x["text"]) for x in sel]
            flags = [a.promotional for a in verdicts]
            if part == "all":
                flagged_lines = [
                    f"{x['id']}: {x['text']}  <- {', '.join(s.signal for s in a.reasons)}"
                    for x, a in zip(sel, verdicts, strict=True)
                    if a.promotional
                ]
            theirs = peer_flags([x["text"] for x in sel])
            row(
                f"ubuntu_irc {part}: promotional rate",
                rate(flags),
                rate(theirs) if theirs is not None else none,
                "<= 0.5%",
            )

    tele = telegram_rows(shared)
    if tele is not None:
        for part in ("held-out", "all"):
            sel = [x for x in tele if part == "all" or split(x[0]) == part]
            flags = [analyze(t).promotional for t, _ in sel]
            theirs = peer_flags([t for t, _ in sel])
            spam = [f for f, (_, y) in zip(flags, sel, strict=True) if y == 1]
            ham = [f for f, (_, y) in zip(flags, sel, strict=True) if y == 0]
            if theirs is not None:
                pspam = [f for f, (_, y) in zip(theirs, sel, strict=True) if y == 1]
                pham = [f for f, (_, y) in zip(theirs, sel, strict=True) if y == 0]
            row(
                f"telegram_ru {part}: spam recall",
                rate(spam),
                rate(pspam) if theirs is not None else none,
                ">= 80%",
            )
            row(
                f"telegram_ru {part}: ham flagged",
                rate(ham),
                rate(pham) if theirs is not None else none,
                "<= 2%",
            )
            cyr = [f for f, (t, y) in zip(flags, sel, strict=True) if y == 1 and _cyrillic(t)]
            row(f"telegram_ru {part}: Cyrillic spam recall", rate(cyr), none, "")

    intro_path = shared / "discord_intros" / "komodo_intros.jsonl"
    if intro_path.exists():
        intros = jsonl(intro_path)
        gold = [x["id"] in INTRO_IDS for x in intros]
        for hint in (True, False):
            out = [analyze(x["text"], intro_channel=hint) for x in intros]
            p, r = prf([a.introduction for a in out], gold)
            tag = "with" if hint else "without"
            row(
                f"discord_intros {tag} channel hint: intro P / R",
                f"P {p:.2f} / R {r:.2f}",
                none,
                ">= 0.90 / >= 0.90",
            )
            plain = [
                a.promotional
                for x, a in zip(intros, out, strict=True)
                if x["id"] in INTRO_IDS and x["id"] not in PITCH_IDS
            ]
            theirs = peer_flags(
                [x["text"] for x in intros if x["id"] in INTRO_IDS and x["id"] not in PITCH_IDS]
            )
            row(
                f"  plain intros ({tag} hint): promotional",
                rate(plain),
                rate(theirs) if theirs is not None else none,
                "<= 3%",
            )
    chat = community_history.read_chat(shared, "held-out")
    if chat is not None:
        per_1000, notes, _ = community_history.measure(chat)
        row(
            "ubuntu_irc held-out replayed: notes / 1,000",
            f"{per_1000:.2f} ({sum(1 for n in notes if n['action'] == 'etiquette_note')})",
            none,
            "<= 2",
        )
    reasons_ok = all(a.reasons for a in map(analyze, train_texts) if a.promotional)
    row("every promotional verdict has reasons", str(reasons_ok), none, "True")
    if (ROOT / "tests" / "core" / "detect" / "test_detect_properties.py").exists():
        adversarial()
    print(f"  ({time.perf_counter() - started:.1f} s)")
    if args.show_flagged and flagged_lines:
        print(f"\nubuntu_irc lines marked promotional ({len(flagged_lines)}):")
        for text in flagged_lines:
            print("  " + text.replace("\n", " "))
    if args.show_missed and missed:
        print(f"\nTubeSpam val comments judged wrongly ({len(missed)}):")
        for text in missed:
            print("  " + text.replace("\n", " "))


def adversarial() -> None:
    """Worst single-message time over the tests' adversarial 40,000-character inputs."""
    sys.path.insert(0, str(ROOT / "tests" / "core" / "detect"))
    from test_detect_properties import ADVERSARIAL

    det = Detector(cache=False)
    worst = 0.0
    for text in ADVERSARIAL:
        det.analyze(text)  # the first use loads tables
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            det.analyze(text)
            best = min(best, time.perf_counter() - start)
        worst = max(worst, best)
    row("adversarial 40,000-character inputs: slowest", f"{worst * 1000:.2f} ms", "-", "< 5 ms")


def _cyrillic(text: str) -> bool:
    """Whether most letters of text are Cyrillic."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum("\u0400" <= c <= "\u04ff" for c in letters) * 2 > len(letters)


if __name__ == "__main__":
    main()

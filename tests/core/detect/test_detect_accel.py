"""The mypyc-compiled detectors give exactly the pure detectors' verdicts, and only when current."""

import csv
import json
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groupbot import accel
from groupbot.classify import fastest_detector
from groupbot.core.detect import Analysis, Detector, DetectorConfig

ROOT = Path(__file__).resolve().parents[3]
ON_CI = os.environ.get("CI") == "true"


@pytest.fixture(scope="module")
def fast() -> ModuleType:
    """The compiled package; `make test` builds it, so under CI it must be there."""
    accel.compiled_detect.cache_clear()
    module = accel.compiled_detect()
    if module is None:
        if ON_CI:
            pytest.fail("groupbot/_accel is missing or stale: make accel builds it")
        pytest.skip("compiled detectors not built (make accel)")
    return module


def facts(a: Analysis) -> tuple[object, ...]:
    """Everything an Analysis says, as plain values (the two builds have distinct classes)."""
    signals = [(s.signal, s.evidence, s.detail, s.weight) for s in a.reasons]
    intro = [(s.signal, s.evidence, s.detail, s.weight) for s in a.intro_reasons]
    links = [
        (x.url, x.domain, x.invite, x.shortener, x.allowed, x.label_domain, x.affiliate)
        for x in a.links
    ]
    return (
        a.promotional,
        a.score,
        a.kind,
        signals,
        a.introduction,
        a.intro_score,
        intro,
        links,
        a.fingerprint,
    )


def corpus() -> Iterator[tuple[str, bool]]:
    """Real and written messages: TubeSpam validation comments and the community set."""
    with (ROOT / "data" / "tubespam" / "tubespam_val.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            yield row["text"], False
    for line in (ROOT / "tests" / "data" / "community_messages.jsonl").open(encoding="utf-8"):
        if line.strip():
            row = json.loads(line)
            yield row["text"], row.get("channel") == "introductions"


def test_same_verdicts_on_real_messages(fast: ModuleType) -> None:
    pure, compiled = Detector(), fast.Detector()
    texts = list(corpus())
    assert len(texts) > 400
    for text, intro in texts:
        expected = facts(pure.analyze(text, intro_channel=intro))
        assert facts(compiled.analyze(text, intro_channel=intro)) == expected, text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_same_verdicts_on_any_text(fast: ModuleType, text: str) -> None:
    own = frozenset({"example.com"})
    pure = Detector()._analyze(text, False, own)
    assert facts(fast.Detector()._analyze(text, False, own)) == facts(pure)


def test_classify_passes_the_community_settings_on(fast: ModuleType) -> None:
    config = DetectorConfig(
        threshold=0.9,
        allow_domains=frozenset({"ourblog.org"}),
        allow_invites=frozenset({"ours"}),
        extra_cta_phrases=("book a table",),
        intro_threshold=0.6,
    )
    detector = fastest_detector(config)
    assert type(detector).__module__.startswith(accel.COMPILED_PACKAGE)
    for text in [
        "Read it on ourblog.org/post/1 and join discord.gg/ours",
        "Book a table tonight at ours.example!",
        "Hi, I'm Ana from Porto. Glad to be here",
        "Subscribe to my channel",
    ]:
        assert facts(detector.analyze(text)) == facts(Detector(config).analyze(text)), text


def test_a_stale_build_is_not_used(fast: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accel, "source_digest", lambda: "0" * 64)
    accel.compiled_detect.cache_clear()
    try:
        assert accel.compiled_detect() is None
        assert type(fastest_detector()) is Detector
    finally:
        monkeypatch.undo()
        accel.compiled_detect.cache_clear()
    assert accel.compiled_detect() is fast


def test_pure_python_on_request(fast: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(accel.DISABLE_ENV, "1")
    accel.compiled_detect.cache_clear()
    try:
        assert accel.compiled_detect() is None
    finally:
        monkeypatch.delenv(accel.DISABLE_ENV)
        accel.compiled_detect.cache_clear()
    assert accel.compiled_detect() is fast

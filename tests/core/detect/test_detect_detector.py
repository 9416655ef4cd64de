"""The Detector's verdicts and reasons on realistic messages, with and without the model."""

import subprocess
import sys

import pytest

from groupbot.core.detect import Analysis, Detector, DetectorConfig

MODEL = Detector()
RULES = Detector(DetectorConfig(use_model=False))
BOTH = pytest.mark.parametrize("detector", [MODEL, RULES], ids=["model", "rules"])


def signals(a: Analysis) -> set[str]:
    return {s.signal for s in a.reasons}


@BOTH
@pytest.mark.parametrize(
    ("text", "kind", "signal"),
    [
        ("Subscribe to my channel for daily tips!", "engagement_bait", "engagement_bait"),
        ("Help me reach 1,000 subscribers please 🙏", "engagement_bait", "engagement_bait"),
        ("Like this if you agree 👍", "engagement_bait", "engagement_bait"),
        ("Join our Discord: discord.gg/abc123", "invite", "invite_link"),
        ("Come hang out chat.whatsapp.com/HyT6sdf8", "invite", "invite_link"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "link_drop", "link_drop"),
        ("Check out this video: https://youtu.be/xyz987", "link_drop", "link_drop"),
        ("Use my code SAVE10 for 10% off at coolgadgets.store", "self_promotion", "discount"),
        ("Need a logo? I design them for $20, message me.", "self_promotion", "price"),
        ("Link in bio for my full workout programme 💪", "self_promotion", "call_to_action"),
        ("Free money <https://scam.example.net/claim|paypal.com>", "self_promotion", "masked_link"),
        ("Get 3 months free: https://fintech.com/?ref=abc123", "self_promotion", "affiliate"),
        ("Join my server: dis\u0441ord.gg/abc123", "invite", "invite_link"),
        ("check out my site example dot com", "self_promotion", "own_offering"),
        ("Start making extra money from your phone today", "self_promotion", "money_scheme"),
        ("How to make easy money fast", "self_promotion", "money_scheme"),
        ("Sign up here www.swagbucks.com/refer/Nina0 :)", "self_promotion", "affiliate"),
    ],
)
def test_promotional(detector: Detector, text: str, kind: str, signal: str) -> None:
    a = detector.analyze(text)
    assert a.promotional and a.kind == kind and signal in signals(a)
    assert a.reasons and 0.5 <= a.score <= 1
    assert not a.introduction


@BOTH
@pytest.mark.parametrize(
    "text",
    [
        "Did anyone else's build break after the 3.2 update?",
        "Thanks, that fixed it!",
        "Loved this piece by Maria Popova on boredom, the bit about attention stuck with me: "
        "https://www.themarginalian.org/2024/01/05/boredom/",
        "@Tom you can find it in the docs here: https://docs.python.org/3/library/datetime.html",
        "I had the same bug, this GitHub issue has the workaround: "
        "https://github.com/psf/requests/issues/6432",
        "Coffee is the real dependency of this project ☕",
        "",
        "   ",
    ],
)
def test_not_promotional(detector: Detector, text: str) -> None:
    a = detector.analyze(text)
    assert not a.promotional and a.kind is None and a.score < 0.5


@BOTH
@pytest.mark.parametrize(
    ("text", "intro_channel"),
    [
        ("Hi all, I'm Priya, a web writer from Leeds 👋", False),
        ("Hello! My name is Kwame and I work as a data analyst in Accra.", False),
        ("Hi all, I'm Priya, a web writer from Leeds. I blog at priyawrites.co.uk.", False),
        ("Bonjour à tous ! Je m'appelle Camille, je suis développeuse à Lyon.", False),
        ("hey all im jas, nurse from brum, just joined :)", False),
        ("Hello everyone! 👋", True),
    ],
)
def test_introductions(detector: Detector, text: str, intro_channel: bool) -> None:
    a = detector.analyze(text, intro_channel=intro_channel)
    assert a.introduction and not a.promotional
    assert a.intro_reasons and a.intro_score >= 0.5


@BOTH
@pytest.mark.parametrize(
    "text",
    [
        "Hi all, I'm Sam from GrowthCo. We offer SEO at $99/month, DM me for a free audit!",
        "Hello everyone! I'm Jake. Join my Telegram for free signals: t.me/jakesignals",
        "Hey all! I'm DJ Trix, check out my new mixtape on soundcloud.com/djtrix and follow me!",
    ],
)
def test_a_hello_wrapped_around_a_pitch_is_a_pitch(detector: Detector, text: str) -> None:
    for channel in (False, True):
        a = detector.analyze(text, intro_channel=channel)
        assert a.promotional and not a.introduction


def test_own_domain_is_self_link_evidence() -> None:
    a = RULES.analyze("New post: example.com/blog/1", own_domains=frozenset({"example.com"}))
    assert "self_link" in signals(a)
    assert next(s for s in a.reasons if s.signal == "self_link").evidence == "example.com"


def test_allow_listed_invite_and_domain_are_not_promotion() -> None:
    det = Detector(
        DetectorConfig(
            allow_invites=frozenset({"https://discord.gg/ours"}),
            allow_domains=frozenset({"ours.org"}),
        )
    )
    assert not det.analyze("The community server: discord.gg/ours").promotional
    assert det.analyze("The community server: discord.gg/ours").links[0].allowed
    assert not det.analyze("Docs: https://docs.ours.org/faq").promotional
    assert det.analyze("Their server: discord.gg/theirs").promotional


def test_extra_cta_phrases() -> None:
    det = Detector(DetectorConfig(use_model=False, extra_cta_phrases=("Ring my bell",)))
    a = det.analyze("ring my bell for a great deal")
    assert "call_to_action" in signals(a)


def test_threshold_is_configurable() -> None:
    text = "Check out the changelog"
    assert not Detector(DetectorConfig(threshold=0.99)).analyze(text).promotional


def test_model_reports_its_strongest_words_as_reasons() -> None:
    a = MODEL.analyze("This guy win dollars sleeping, free gift cards for everyone")
    assert a.promotional
    assert any(s.signal == "learned_phrase" for s in a.reasons) or a.reasons


def test_reasons_are_explained() -> None:
    a = MODEL.analyze("Use my code SAVE10 for 10% off at coolgadgets.store today only!")
    for s in a.reasons:
        assert s.signal and s.evidence and s.detail and s.weight > 0
    assert a.links[0].domain == "coolgadgets.store"
    assert a.fingerprint == "use my code save10 for 10% off at coolgadgets.store today only!"


PREPARED_THEN_LOCKED = """
import pathlib, re, sys
from groupbot.core.detect import Detector
detector = Detector()
detector.prepare()
def refuse(*args, **kwargs):
    raise AssertionError("loaded on first use after prepare()")
re.compile = refuse
pathlib.Path.read_text = refuse
sys.modules["confusable_homoglyphs"] = None  # importing it now fails
for text in sys.argv[1:]:
    detector.analyze(text)
    detector.analyze(text, intro_channel=True)
print("ok")
"""


def test_prepare_leaves_nothing_to_load_on_first_use() -> None:
    texts = [
        "Hi all, I'm Priya, a designer from Leeds. My name is Priya!",
        "Check out my channel: dis\u0441ord.gg/abc123 and example dot com, use code SAVE10",
        "\u041d\u0435llo, buy now at https://shop.example.co.uk/ref/me?aff_id=1 only $5 50% off",
        "I've been a nurse for ten years and I love baking; glad to join",
    ]
    done = subprocess.run(
        [sys.executable, "-c", PREPARED_THEN_LOCKED, *texts],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


@BOTH
@pytest.mark.parametrize(
    "text",
    [
        "I make extra money teaching piano on weekends",
        "quick cash flow question for the accountants here: how do you track invoices?",
        "Freelancing isn't easy money, but I love it",
        "How is everyone making money these days? Asking as a new freelancer",
        "Spending money fast is my superpower lol",
        "Earning extra from side projects is harder than it looks",
        "I make money teaching piano",
        "We make 3 pizzas every Friday",
        "Does anyone make cash sales at craft fairs?",
        "I earn extra on weekends by tutoring",
    ],
)
def test_money_talk_in_conversation_is_not_a_scheme(detector: Detector, text: str) -> None:
    assert "money_scheme" not in signals(detector.analyze(text))


@BOTH
@pytest.mark.parametrize(
    "text",
    [
        "Has anyone hit this? The docs say select_related should work here: "
        "https://docs.djangoproject.com/en/5.0/ref/models/querysets/",
        "Has anyone hit this? The spec says map order is not defined: "
        "https://go.dev/ref/spec#Map_types",
    ],
)
def test_a_question_linking_reference_docs_is_conversation(detector: Detector, text: str) -> None:
    analysis = detector.analyze(text)
    assert not analysis.promotional and "affiliate" not in signals(analysis)


def test_a_name_at_the_search_limit_is_not_cut_in_two() -> None:
    from groupbot.core.detect.introduction import _NAME_REACH

    text = "x" * (_NAME_REACH - len("Hello, I am Sa")) + " Hello, I am Samuel and I bake bread."
    found = Detector().analyze(text).intro_reasons
    evidence = [s.evidence for s in found if s.signal == "self_description"]
    assert evidence and evidence[0].endswith("Samuel")


@BOTH
@pytest.mark.parametrize(
    "text",
    [
        "Easy money, zero effort, it works every time",
        "Fast cash for everyone who joins my team",
        "Quick money guaranteed with this system",
        "I make $500 a day from my phone, ask me how",
        "Start making extra money from your phone today",
    ],
)
def test_money_pitches_are_schemes(detector: Detector, text: str) -> None:
    assert "money_scheme" in signals(detector.analyze(text))


def test_the_search_limit_does_not_invent_a_name() -> None:
    from groupbot.core.detect.introduction import _NAME_REACH

    # "lucky" straddles the limit and a space follows it: the end of the search is no end of text
    text = "x" * (_NAME_REACH - 5) + " i'm lucky to be part of this group"
    found = Detector().analyze(text).intro_reasons
    assert not [s for s in found if "lucky" in s.evidence]


def test_spaced_letters_are_read_as_the_words_they_spell() -> None:
    analysis = Detector().analyze("s u b s c r i b e to my channel")
    assert analysis.promotional
    assert any("subscribe" in s.evidence for s in analysis.reasons)

"""The Detector: folds text, gathers promotion and introduction signals, and scores them."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .introduction import INTRO_BIAS, intro_signals
from .links import find_links
from .model import WordModel, features, load_model
from .normalize import fingerprint, fold, join_spaced
from .promotion import DETAILS, link_signals, phrase_signals, spaced, words_outside_links
from .results import Analysis, DetectorConfig, Link, Signal

__all__ = ["RULE_BIAS", "Detector", "Evaluation", "model_features"]

RULE_BIAS = -3.0
_INTRO_DAMPING = 0.25
# With the model on, a genuine introduction or a link shared in conversation is judged by the
# model alone, damped by this many logits (the rules' conversation discount is not applied twice).
_GUARD_DAMPING = 1.0
_CONVERSATION_WEIGHT = -3.5
# Phrases, introductions and the model read the head and tail of very long messages; links are
# looked for everywhere. This bounds the cost of a 40,000-character message.
_WINDOW, _HEAD, _TAIL = 8000, 6000, 2000
# Signals that a genuine introduction may carry (its own site, what it does) without selling.
_INTRO_DAMPED = frozenset({"own_offering", "self_link", "link", "link_drop"})
# Signals that make a post a pitch even when it is dressed as a hello.
_SALES = frozenset(
    {
        "engagement_bait",
        "price",
        "discount",
        "urgency",
        "money_scheme",
        "invite_link",
        "masked_link",
        "affiliate",
        "shortener",
        "call_to_action",
    }
)
_CONVERSATION_BLOCKERS = _SALES | {"own_offering", "self_link"}
# Words that show a link is shared as part of a conversation (comment, attribution, answer).
_COMMENTARY = frozenset(
    [
        "by",
        "their",
        "his",
        "her",
        "author",
        "article",
        "post",
        "talk",
        "paper",
        "thread",
        "piece",
        "writeup",
        "guide",
        "docs",
        "documentation",
        "answer",
        "question",
        "thanks",
        "thank",
        "interesting",
        "helpful",
        "agree",
        "disagree",
        "think",
        "thought",
        "found",
        "explains",
        "explained",
        "explanation",
        "recommend",
        "might",
        "helps",
        "helped",
        "liked",
        "loved",
        "enjoyed",
        "argues",
        "useful",
        "covers",
        "describes",
        "according",
        "here's",
        "see",
        "try",
        "case",
        "section",
        "chapter",
        "part",
        "bit",
        "point",
        "points",
        "argument",
        "wrote",
        "written",
        "fixed",
        "issue",
        "bug",
        "solution",
        "workaround",
        "because",
    ]
)
_SELLING = frozenset(
    {"own_offering", "self_link", "price", "discount", "affiliate", "money_scheme"}
)
_KIND_ORDER = (("invite_link", "invite"), ("engagement_bait", "engagement_bait"))
_CACHE_SIZE = 4096
_EMPTY = Analysis(False, 0.0, None, (), False, 0.0, (), (), "")


def _sigmoid(x: float) -> float:
    """Logistic function, safe for large magnitudes."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@dataclass(slots=True)
class Evaluation:
    """Everything the rules found, before the model is added (training uses it too)."""

    folded: str
    words: list[str]
    wordset: set[str]
    links: tuple[Link, ...]
    signals: tuple[Signal, ...]
    rule_logit: float
    intro_reasons: tuple[Signal, ...]
    intro_score: float
    model_negative_only: bool


class Detector:
    """Promotion and introduction detector for one community's configuration."""

    def __init__(self, config: DetectorConfig | None = None) -> None:
        """Prepare allow-lists, extra phrases and (optionally) the learned model."""
        self._config = config = config or DetectorConfig()
        self._threshold = config.threshold
        self._intro_threshold = config.intro_threshold
        self._allow_domains = frozenset(d.lower().strip() for d in config.allow_domains)
        invites: set[str] = set()
        for item in config.allow_invites:
            item = item.lower().strip()
            invites.update((item, item.split("://", 1)[-1], item.rstrip("/").rsplit("/", 1)[-1]))
        self._allow_invites = frozenset(invites)
        phrases = [re.escape(fold(p).strip()) for p in config.extra_cta_phrases if p.strip()]
        self._extra = re.compile(r"\b(?:" + "|".join(phrases) + r")\b") if phrases else None
        self._model: WordModel | None = load_model() if config.use_model else None
        # Verdicts are immutable and depend only on these inputs: repeated posts (cross-posts,
        # "thanks!", copy-paste spam) are analysed once. Oldest entries are dropped first.
        self._cache: dict[tuple[str, bool, frozenset[str]], Analysis] = {}

    @property
    def config(self) -> DetectorConfig:
        """The configuration this detector was built with."""
        return self._config

    def evaluate(self, text: str, intro_channel: bool, own_domains: frozenset[str]) -> Evaluation:
        """Run the rules on one message."""
        folded = fold(text)
        window = folded if len(folded) <= _WINDOW else folded[:_HEAD] + "\n" + folded[-_TAIL:]
        plain = spaced(window)
        words = plain.split()
        if len(words) >= 5 and list(map(len, words)).count(1) >= 5:
            folded = window = join_spaced(window)
            plain = spaced(window)
            words = plain.split()
        wordset = set(words)
        links = find_links(folded, self._allow_domains, self._allow_invites)
        found = phrase_signals(window, plain, wordset, self._extra)
        count = words_outside_links(window, words, bool(links))
        if links:
            extra = link_signals(links, own_domains, count, "own_offering" in found)
            for name, sig in extra.items():
                found.setdefault(name, sig)
        intro = intro_signals(plain, words, wordset, intro_channel, text[:_HEAD], window)
        intro_score = _sigmoid(INTRO_BIAS + sum(s.weight for s in intro)) if intro else 0.1192
        intro_context = intro_score >= self._intro_threshold and (
            len(intro) > 1 or intro[0].signal != "greeting"
        )
        sales = not _SALES.isdisjoint(found)
        signals = tuple(found.values())
        if intro_context and not sales:
            signals = tuple(
                Signal(s.signal, s.evidence, s.detail, round(s.weight * _INTRO_DAMPING, 3))
                if s.signal in _INTRO_DAMPED
                else s
                for s in signals
            )
        logit = RULE_BIAS + sum(s.weight for s in signals)
        conversation = False
        if (
            links
            and count >= 8
            and _CONVERSATION_BLOCKERS.isdisjoint(found)
            and (not _COMMENTARY.isdisjoint(wordset) or "?" in folded)
        ):
            logit += _CONVERSATION_WEIGHT
            conversation = True
        return Evaluation(
            folded,
            words,
            wordset,
            links,
            signals,
            logit,
            tuple(intro),
            intro_score,
            conversation or (intro_context and not sales),
        )

    def analyze(
        self, text: str, *, intro_channel: bool = False, own_domains: frozenset[str] = frozenset()
    ) -> Analysis:
        """Analyse one message: is it promotional, is it an introduction, and why."""
        if not text or text.isspace():
            return _EMPTY
        key = (text, intro_channel, own_domains)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        analysis = self._analyze(text, intro_channel, own_domains)
        if len(self._cache) >= _CACHE_SIZE:
            del self._cache[next(iter(self._cache))]
        self._cache[key] = analysis
        return analysis

    def _analyze(self, text: str, intro_channel: bool, own_domains: frozenset[str]) -> Analysis:
        """Analyse one message (uncached)."""
        ev = self.evaluate(text, intro_channel, own_domains)
        logit = ev.rule_logit
        model = self._model
        keys: set[str] = set()
        if model is not None:
            keys = model_features(ev)
            learned = model.logit(keys)
            logit = learned - _GUARD_DAMPING if ev.model_negative_only else max(learned, logit)
        score = _sigmoid(logit)
        reasons = [s for s in ev.signals if s.weight > 0]
        promotional = score >= self._threshold
        if promotional and model is not None:
            floor = 0.5 if reasons else 0.0
            for word, weight in model.strongest(keys, floor=floor):
                reasons.append(Signal("learned_phrase", word, DETAILS["learned_phrase"], weight))
        if promotional and not reasons:
            promotional, score = False, min(score, 0.49)
        reasons.sort(key=lambda s: -s.weight)
        return Analysis(
            promotional,
            round(score, 4),
            _kind(reasons) if promotional else None,
            tuple(reasons),
            ev.intro_score >= self._intro_threshold and not promotional,
            round(ev.intro_score, 4),
            ev.intro_reasons,
            ev.links,
            fingerprint(ev.folded),
        )


def model_features(ev: Evaluation) -> set[str]:
    """The learned model's feature keys for an evaluated message (training uses it too)."""
    return features(
        ev.words,
        ev.wordset,
        [s.signal for s in ev.signals],
        link=bool(ev.links),
        intro=ev.intro_score >= 0.5,
        guarded=ev.model_negative_only,
    )


def _kind(reasons: list[Signal]) -> str:
    """Which kind of promotion the reasons describe."""
    names = {s.signal for s in reasons}
    for signal, kind in _KIND_ORDER:
        if signal in names:
            return kind
    if "link_drop" in names and names.isdisjoint(_SELLING):
        return "link_drop"
    return "self_promotion"

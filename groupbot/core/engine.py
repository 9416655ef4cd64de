"""The engine: one post in, a verdict out — which rules fired, why, and what to do."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import NamedTuple

from groupbot.core.detect import NO_CONVERSATION, Analysis, Conversation, Detector, DetectorConfig
from groupbot.core.owners import is_owner
from groupbot.core.rulebook import Rulebook
from groupbot.core.rules import REGISTRY, Finding, Rule, RuleContext
from groupbot.core.state import MemberState, RecentCopy

__all__ = ["AnalysisKey", "Engine", "Verdict", "detector_config", "learn_own_domains"]

OWN_DOMAIN_REPEATS = 2  # a domain promoted this often is treated as the member's own
CHANNEL_CACHE = 10_000
NO_DOMAINS: frozenset[str] = frozenset()
NOTED_MEMORY = 50  # recent posts per member whose notes are remembered, for edits
# What the detector's verdict depends on: text, intro channel, own domains, conversation.
AnalysisKey = tuple[str, bool, frozenset[str], Conversation]


class Verdict(NamedTuple):
    """What the engine decided about one post (a named tuple: one is made per post)."""

    analysis: Analysis
    newly_introduced: bool
    findings: tuple[Finding, ...]
    escalate: bool
    continues_blast: bool = False  # another copy of a blast already noted: hold, no new note

    @property
    def hold(self) -> bool:
        """Whether any finding asks for the post to be held."""
        return any(f.hold for f in self.findings)

    @property
    def also_hold(self) -> tuple[tuple[str, str], ...]:
        """Earlier copies to hold as well (cross-post blasts)."""
        return tuple(dict.fromkeys(m for f in self.findings for m in f.also_hold))


def detector_config(rulebook: Rulebook) -> DetectorConfig:
    """The detector settings a rulebook asks for."""
    d = rulebook.detection
    return DetectorConfig(
        threshold=d.threshold,
        allow_domains=frozenset(x.lower() for x in d.allow_domains),
        allow_invites=frozenset(d.allow_invites),
        extra_cta_phrases=tuple(d.extra_cta_phrases),
    )


class Engine:
    """Platform-neutral decisions; no I/O, state passed in and updated in place."""

    def __init__(self, rulebook: Rulebook, detector: Detector | None = None) -> None:
        self.rulebook = rulebook
        self.detector = detector or Detector(detector_config(rulebook))
        rules = rulebook.rules
        self._post_window = timedelta(days=rules.self_promo_ratio.window_days)
        self._note_window = timedelta(days=rulebook.notes.escalate_window_days)
        self._copy_window = timedelta(minutes=rules.cross_post.window_minutes)
        self._channels: dict[str, tuple[bool, bool, tuple[Rule, ...]]] = {}
        # Analyses made ahead by this engine's detector settings (a backtest's second process).
        self.ahead: Mapping[AnalysisKey, Analysis] | None = None

    def channel_facts(self, channel: str) -> tuple[bool, bool, tuple[Rule, ...]]:
        """(intro channel, promotion channel, rules in scope there), cached per channel."""
        facts = self._channels.get(channel)
        if facts is None:
            rb = self.rulebook
            promotion = rb.is_promotion_channel(channel)
            rules = tuple(
                rule
                for rule in REGISTRY.values()
                if not (rule.promotion_rule and promotion)
                and rule.scope(rb).applies(channel, frozenset(), "")
            )
            facts = (rb.is_intro_channel(channel), promotion, rules)
            if len(self._channels) > CHANNEL_CACHE:
                self._channels.clear()
            self._channels[channel] = facts
        return facts

    def analyze(
        self,
        text: str,
        channel: str,
        state: MemberState | None = None,
        conversation: Conversation = NO_CONVERSATION,
    ) -> Analysis:
        """Run the detectors on one post."""
        return self._analyze(text, self.channel_facts(channel)[0], state, conversation)

    def _analyze(
        self, text: str, intro: bool, state: MemberState | None, conversation: Conversation
    ) -> Analysis:
        own = frozenset(state.own_domains) if state and state.own_domains else NO_DOMAINS
        if self.ahead is not None:
            analysis = self.ahead.get((text, intro, own, conversation))
            if analysis is not None:
                return analysis
        return self.detector.analyze(
            text, intro_channel=intro, own_domains=own, conversation=conversation
        )

    def evaluate(
        self,
        state: MemberState,
        *,
        channel: str,
        message: str,
        text: str,
        at: datetime,
        community: str,
        edited: bool = False,
        conversation: Conversation = NO_CONVERSATION,
    ) -> Verdict:
        """Decide about one post and update the member's state."""
        state.prune(at, self._post_window, self._note_window, self._copy_window)
        intro, promotion_channel, rules = self.channel_facts(channel)
        analysis = self._analyze(text, intro, state, conversation)
        watched = state.watched(at, self.rulebook.watch.first_posts, self.rulebook.watch.first_days)
        newly_introduced = analysis.introduction and not state.introduced
        if newly_introduced:
            state.introduced_at = at
            state.own_domains.update(link.domain for link in analysis.links if link.domain)
            analysis = self._analyze(text, intro, state, conversation)
        if not edited:
            state.post_count += 1
            state.add_post(at, analysis.promotional and not promotion_channel)
            self._learn_own_domains(state, analysis)
        findings: tuple[Finding, ...] = ()
        if (
            self._could_breach(state, analysis, channel)
            and not is_owner(self.rulebook, state.member, state.roles)
            and message not in state.held
        ):
            ctx = RuleContext(
                community=community,
                member=state,
                channel=channel,
                message=message,
                text=text,
                at=at,
                analysis=analysis,
                watched=watched,
                promotion_channel=promotion_channel,
                rulebook=self.rulebook,
            )
            findings = self._findings(ctx, state, rules)
        if not edited:
            state.copies.append(RecentCopy(at, channel, message, analysis.fingerprint))
        if edited and findings:  # an edit is coached only for what the member was not told
            told = state.noted.get(message, frozenset())
            findings = tuple(f for f in findings if f.rule not in told)
        if findings:
            state.noted[message] = state.noted.get(message, frozenset()) | {
                f.rule for f in findings
            }
            if len(state.noted) > NOTED_MEMORY:
                del state.noted[next(iter(state.noted))]
        escalate = False
        if (
            findings
            and state.blast_until is not None
            and at <= state.blast_until
            and all(f.rule == "cross_post" for f in findings)
        ):
            if any(f.hold for f in findings):
                state.held.add(message)
            return Verdict(analysis, newly_introduced, findings, False, continues_blast=True)
        if any(f.rule == "cross_post" for f in findings):
            state.blast_until, state.blast_request = at + self._copy_window, None
        if findings:
            state.note_times.append(at)
            every = self.rulebook.notes.escalate_after
            count = len(state.note_times)
            escalate = every > 0 and count >= every and (count - every) % every == 0
            if any(f.hold for f in findings):
                state.held.add(message)
                state.held.update(m for f in findings for m, _ in f.also_hold)
        return Verdict(analysis, newly_introduced, findings, escalate)

    def learn(
        self,
        state: MemberState,
        *,
        channel: str,
        text: str,
        at: datetime,
        conversation: Conversation = NO_CONVERSATION,
    ) -> Analysis:
        """Count a post from before the bot was installed: history only, no rule is run."""
        analysis = self.analyze(text, channel, state, conversation)
        state.post_count += 1
        state.add_post(at, analysis.promotional and not self.channel_facts(channel)[1])
        self._learn_own_domains(state, analysis)
        state.from_history = True
        return analysis

    def _could_breach(self, state: MemberState, analysis: Analysis, channel: str) -> bool:
        """Cheap pre-check: a post that promotes nothing, links nowhere and cannot complete a
        cross-post blast can break no rule (every rule needs one of the three)."""
        if analysis.promotional or analysis.links:
            return True
        needed = self.rulebook.rules.cross_post.min_channels - 1
        return len({c.channel for c in state.copies if c.channel != channel}) >= needed

    def _findings(
        self, ctx: RuleContext, state: MemberState, rules: tuple[Rule, ...]
    ) -> tuple[Finding, ...]:
        found: list[Finding] = []
        for rule in rules:
            scope = rule.scope(self.rulebook)
            if (scope.exempt_roles or scope.exempt_members) and not scope.applies(
                ctx.channel, state.roles, state.member
            ):
                continue
            finding = rule.match(ctx)
            if finding is not None:
                found.append(finding)
        return tuple(found)

    @staticmethod
    def _learn_own_domains(state: MemberState, analysis: Analysis) -> None:
        learn_own_domains(state.own_domains, state.promo_domains, analysis)


def learn_own_domains(own: set[str], promoted: dict[str, int], analysis: Analysis) -> None:
    """A domain a member promotes again and again is treated as their own from then on."""
    if not analysis.promotional:
        return
    for domain in {link.domain for link in analysis.links if link.domain and not link.allowed}:
        seen = promoted.get(domain, 0) + 1
        promoted[domain] = seen
        if seen >= OWN_DOMAIN_REPEATS:
            own.add(domain)

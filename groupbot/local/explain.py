"""`groupbot rules explain`: every signal and rule verdict for one message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from groupbot.core.engine import Engine
from groupbot.core.rulebook import Rulebook
from groupbot.core.rules import REGISTRY, RuleContext
from groupbot.core.state import MemberState

__all__ = ["explain", "explain_data"]


def explain_data(
    rulebook: Rulebook, text: str, *, channel: str = "general", newcomer: bool = True
) -> dict[str, Any]:
    """The analysis and each rule's verdict, as data."""
    engine = Engine(rulebook)
    now = datetime.now(UTC)
    state = MemberState(
        member="you", first_seen_at=now, joined_at=now - timedelta(hours=1) if newcomer else None
    )
    analysis = engine.analyze(text, channel, state)
    state.add_post(now, analysis.promotional)
    watched = state.watched(now, rulebook.watch.first_posts, rulebook.watch.first_days)
    ctx = RuleContext(
        community="local",
        member=state,
        channel=channel,
        message="m",
        text=text,
        at=now,
        analysis=analysis,
        watched=watched,
        promotion_channel=rulebook.is_promotion_channel(channel),
        rulebook=rulebook,
    )
    rules: list[dict[str, Any]] = []
    for name, rule in REGISTRY.items():
        if rule.promotion_rule and ctx.promotion_channel:
            rules.append({"rule": name, "fired": False, "why": "promotion channel: exempt"})
            continue
        if not rule.scope(rulebook).applies(channel, frozenset(), "you"):
            rules.append({"rule": name, "fired": False, "why": "not in scope here"})
            continue
        finding = rule.match(ctx)
        if finding is None:
            rules.append({"rule": name, "fired": False, "why": "no match"})
        else:
            rules.append(
                {
                    "rule": name,
                    "fired": True,
                    "evidence": finding.evidence,
                    "why": finding.detail,
                    "threshold": finding.threshold,
                    "hold": finding.hold,
                }
            )

    def signals(items: Any) -> list[dict[str, Any]]:
        return [
            {"signal": s.signal, "evidence": s.evidence, "detail": s.detail, "weight": s.weight}
            for s in items
        ]

    return {
        "text": text,
        "channel": channel,
        "newcomer": newcomer,
        "promotional": analysis.promotional,
        "kind": analysis.kind,
        "score": round(analysis.score, 3),
        "threshold": rulebook.detection.threshold,
        "introduction": analysis.introduction,
        "intro_score": round(analysis.intro_score, 3),
        "promotion_signals": signals(analysis.reasons),
        "introduction_signals": signals(analysis.intro_reasons),
        "links": [
            {"url": link.url, "domain": link.domain, "invite": link.invite, "allowed": link.allowed}
            for link in analysis.links
        ],
        "rules": rules,
    }


def explain(
    rulebook: Rulebook,
    text: str,
    *,
    channel: str = "general",
    newcomer: bool = True,
    as_json: bool = False,
) -> str:
    """A readable (or JSON) explanation of how the bot judges one message."""
    data = explain_data(rulebook, text, channel=channel, newcomer=newcomer)
    if as_json:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode()
    lines = [
        f"message: {text!r} in #{channel}"
        + (" from a newcomer not yet introduced" if newcomer else " from an established member"),
        f"promotional: {'yes' if data['promotional'] else 'no'}"
        f" (score {data['score']:.2f}, threshold {data['threshold']:.2f}"
        + (f", kind {data['kind']})" if data["kind"] else ")"),
    ]
    for s in data["promotion_signals"]:
        lines.append(f"  + {s['signal']} {s['weight']:+.2f}: {s['evidence']!r} — {s['detail']}")
    lines.append(
        f"introduction: {'yes' if data['introduction'] else 'no'} (score {data['intro_score']:.2f})"
    )
    for s in data["introduction_signals"]:
        lines.append(f"  + {s['signal']} {s['weight']:+.2f}: {s['evidence']!r} — {s['detail']}")
    for link in data["links"]:
        tag = f" invite:{link['invite']}" if link["invite"] else ""
        tag += " allow-listed" if link["allowed"] else ""
        lines.append(f"link: {link['url']} ({link['domain']}){tag}")
    lines.append("rules:")
    for r in data["rules"]:
        if r["fired"]:
            action = "note + hold" if r["hold"] else "note"
            lines.append(f"  ✗ {r['rule']}: {r['why']} [{r['threshold']}] → {action}")
        else:
            lines.append(f"  ✓ {r['rule']}: {r['why']}")
    return "\n".join(lines)

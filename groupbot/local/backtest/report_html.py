"""The backtest as one self-contained HTML page an owner can read without any docs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from html import escape
from typing import IO, Any

from groupbot.local.backtest.svg import PALETTE, Series, chart

__all__ = ["RULE_WORDS", "write_report"]

RULE_WORDS = {
    "promote_before_introduce": "Promoted before introducing themselves",
    "self_promo_ratio": "Mostly self-promotion",
    "invite_link": "Invite to another community",
    "link_flood": "Too many links in one post",
    "cross_post": "Same post in many channels",
}

CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;
margin:0;background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{margin:36px 0 8px;font-size:20px}
h3{font-size:15px;margin:0 0 6px}.sub{color:#5a6270;margin:0 0 20px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:12px}
.card{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:14px}
.card b{display:block;font-size:30px;line-height:1.1}.card span{color:#5a6270}
.charts{display:grid;grid-template-columns:1fr;gap:16px}
.chart{background:#fff;border:1px solid #dde1e7;border-radius:8px;margin:0;padding:12px}
.chart svg{max-width:100%;height:auto;display:block}
.chart text{font-size:11px;fill:#5a6270}.chart .grid{stroke:#e6e9ee}
.key{margin-right:14px;font-size:13px;color:#3a4150}
.key i{display:inline-block;width:10px;height:10px;margin-right:5px;border-radius:2px}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
th,td{border-bottom:1px solid #e6e9ee;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#eef1f5;position:sticky;top:0}td.post{max-width:360px;white-space:pre-wrap;
overflow-wrap:anywhere}.tag{display:inline-block;font-size:11px;padding:0 6px;
border-radius:8px;background:#fde7c8;margin:2px 2px 0 0}.tag.del{background:#e3e7ee}
ul.why{margin:0;padding-left:16px}code,pre{background:#eef1f5;border-radius:4px}
pre{padding:10px;overflow:auto;font-size:12px}code{padding:1px 4px}
.note{color:#5a6270;font-size:13px}
"""


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{share * 100:.1f}%"


def _num(value: int) -> str:
    return f"{value:,}"


def _figure(key: str, value: str) -> str:
    return f'<b data-figure="{key}">{escape(value)}</b>'


def _week_label(week: str) -> str:
    return date.fromisoformat(week).strftime("%d %b %y")


_TENSE = re.compile(r"would have (been|done|\w+)")
_PAST = {"been": "was", "done": "did"}


def _said(r: dict[str, Any], words: str) -> str:
    """The page's own wording: "would have sent" for a backtest, "sent" for a live report."""
    if not r.get("live"):
        return words
    return _TENSE.sub(lambda m: _PAST.get(m.group(1), m.group(1)), words)


def _headline(r: dict[str, Any]) -> str:
    cards = [
        (_figure("joined", _num(r["joined"])), "members joined"),
        (
            _figure("introduced", _num(r["introduced"])),
            f"introduced themselves ({_pct(r['intro_rate'])} of newcomers)",
        ),
        (_figure("notes", _num(r["notes"])), _said(r, "private notes groupbot would have sent")),
        (
            _figure("held", _num(r["held"])),
            _said(r, "posts it would have held for an owner's approval"),
        ),
        (
            _figure("promotional_share", _pct(r["promotional_share"])),
            f"of posts were promotional ({_num(r['promotional_posts'])} of {_num(r['posts'])})",
        ),
    ]
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card">{value}<span>{escape(words)}</span></div>' for value, words in cards
        )
        + "</div>"
    )


def _charts(r: dict[str, Any]) -> str:
    weeks = r["weeks"]
    labels = [_week_label(w["week"]) for w in weeks]
    rules = list(r["notes_by_rule"])
    return "".join(
        (
            chart(
                "newcomers",
                "Newcomers each week, and how many introduced themselves",
                labels,
                [Series("newcomers", [w["newcomers"] for w in weeks], PALETTE[0])],
                [Series("introduction rate", [w["intro_rate"] for w in weeks], PALETTE[1])],
            ),
            chart(
                "promotional",
                "Share of posts that were promotional",
                labels,
                [],
                [Series("promotional share", [w["promotional_share"] for w in weeks], PALETTE[3])],
            ),
            chart(
                "notes",
                _said(r, "Notes groupbot would have sent, by rule"),
                labels,
                [
                    Series(
                        RULE_WORDS.get(rule, rule),
                        [w["notes"].get(rule, 0) for w in weeks],
                        PALETTE[i % len(PALETTE)],
                    )
                    for i, rule in enumerate(rules)
                ],
            ),
            chart(
                "requests",
                _said(r, "Approval requests, and how long members would have waited (hours)"),
                labels,
                [Series("requests", [w["requests"] for w in weeks], PALETTE[4])],
                [Series("median wait, hours", [w["wait_hours_median"] for w in weeks], PALETTE[2])],
                line_unit="h",
            ),
        )
    )


def _notes_table(r: dict[str, Any], count: int, notes: Iterable[dict[str, Any]]) -> Iterator[str]:
    if not count:
        yield f"<p>{_said(r, 'No note would have been sent.')}</p>"
        return
    yield (
        '<table id="notes-table"><thead><tr><th>Date (UTC)</th><th>Member</th><th>Channel</th>'
        "<th>Rule</th><th>The post</th><th>Why</th></tr></thead><tbody>"
    )
    for n in notes:
        tags = ""
        if n["held"]:
            request = f" #{n['request']}" if n.get("request") is not None else ""
            tags += f'<span class="tag">held for approval{escape(request)}</span>'
        if n["deleted_later"]:
            tags += '<span class="tag del">deleted later in the real history</span>'
        why = "".join(f"<li>{escape(reason)}</li>" for reason in n["reasons"])
        who = n["member_name"]
        member = escape(who) + (
            "" if who == n["member"] else f" <code>{escape(n['member'])}</code>"
        )
        yield (
            f"<tr><td>{escape(n['at'][:16].replace('T', ' '))}</td><td>{member}</td>"
            f"<td>#{escape(n['channel'])}</td>"
            f"<td>{escape(RULE_WORDS.get(n['rule'], n['rule']))}<br>{tags}</td>"
            f'<td class="post">{escape(n["post"])}</td><td><ul class="why">{why}</ul></td></tr>\n'
        )
    yield "</tbody></table>"


def _settings(r: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><th>{escape(key)}</th><td>{escape(str(value))}</td></tr>"
        for key, value in r["settings"].items()
    )
    return (
        f"<table>{rows}</table>"
        f"<p>Run it again:</p><pre data-command>{escape(r['command'])}</pre>"
        "<details><summary>Every setting of the rulebook used</summary>"
        f"<pre>{escape(r['rulebook_toml'])}</pre></details>"
    )


def _intro(r: dict[str, Any], name: str, span: str) -> str:
    seen = (
        f'<span data-figure="messages_read">{_num(r["messages_read"])}</span> messages read in '
        f"{_num(r['channels'])} channels, {_num(r['members_seen'])} members seen."
    )
    if r.get("live"):
        return (
            f"<h1>What groupbot did in {escape(name)}</h1>\n"
            f'<p class="sub">From groupbot\'s own records, {escape(span)}: {seen} Messages '
            "themselves are not kept; the notes show the evidence groupbot quoted.</p>"
        )
    return (
        f"<h1>What groupbot would have done in {escape(name)}</h1>\n"
        f'<p class="sub">A replay of your {escape(r["platform"].capitalize())} history '
        f"from {escape(span)}: "
        f"{seen} Nothing was sent to anyone: this is what groupbot <em>would</em> have done "
        "with the settings below.</p>"
    )


def write_report(r: dict[str, Any], notes: Iterable[dict[str, Any]], out: IO[str]) -> None:
    """Write the whole page for the report data `r` and its notes, row by row."""
    name = r["community_name"] or r["community"] or "your community"
    span = f"{(r['first_at'] or '')[:10]} to {(r['last_at'] or '')[:10]}"
    problems = (
        f'<p class="note" data-figure="problems">{r["problems"]} damaged file(s) or message(s) '
        "were skipped; the command printed each one.</p>"
        if r["problems"]
        else ""
    )
    waited = r["wait_hours_median"]
    wait_words = (
        _said(r, f"half of them would have waited under {waited} hours")
        if waited is not None
        else "no owner posted after any of them"
    )
    out.write(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,">
<title>groupbot {"report" if r.get("live") else "backtest"}: {escape(name)}</title>
<style>{CSS}</style></head>
<body><main>
{_intro(r, name, span)}
{problems}
{_headline(r)}
<p class="note">A newcomer is someone whose arrival is in the history (members who were active
before it are never watched). A note is one private, friendly message to the member explaining
the community's etiquette; a held post is hidden until an owner approves it
({_num(r["requests"])} requests; {escape(wait_words)}, counting until an owner next posted;
{_num(r["requests_expired"])} {_said(r, "would have expired")} unanswered after
{r["settings"]["approvals.expire_after_hours"]} hours).</p>
<h2>Week by week</h2>
<div class="charts">{_charts(r)}</div>
<h2>{_said(r, "Every note groupbot would have sent")}</h2>
<p class="note">Check these before switching groupbot on: each row is one private note, the
post that caused it and why.</p>
""")
    for part in _notes_table(r, r["notes"], notes):
        out.write(part)
    out.write(f"""
<h2>Settings used</h2>
{_settings(r)}
</main></body></html>
""")

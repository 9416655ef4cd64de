"""Which signals count as selling, as conversation or as a cue: the families the Detector weighs."""

from __future__ import annotations

from typing import Final

__all__ = [
    "COMMENTARY",
    "CONVERSATION_BLOCKERS",
    "CUES",
    "GET_IN_TOUCH",
    "HARD_SALES",
    "INTRO_DAMPED",
    "KIND_ORDER",
    "SALES",
    "SELLING",
    "TALK_LOGIT",
    "TALK_SIGNALS",
    "WEAK_BLOCKERS",
    "WORDING_ONLY",
]

# Signals that a genuine introduction may carry (its own site, what it does) without selling.
INTRO_DAMPED: Final = frozenset({"own_offering", "self_link", "link", "link_drop"})
# Signals that make a post a pitch even when it is dressed as a hello.
SALES: Final = frozenset(
    {
        "job_offer",
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
CONVERSATION_BLOCKERS: Final = SALES | {"own_offering", "self_link"}
# Words that show a link is shared as part of a conversation (comment, attribution, answer).
COMMENTARY: Final = frozenset(
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
# The rule evidence a promotional verdict needs at least one of.
CUES: Final = frozenset(
    {
        "engagement_bait",
        "own_offering",
        "call_to_action",
        "price",
        "discount",
        "urgency",
        "money_scheme",
        "self_link",
        "invite_link",
        "link_drop",
        "shortener",
        "affiliate",
        "masked_link",
        "contact_me",
        "job_offer",
        "pay_terms",
        "link",
        "suggestion",
        "disguised_letters",
    }
)
# The calls to action that, in an introduction with no link, only invite contact.
GET_IN_TOUCH: Final = frozenset(
    {"hit", "dm", "pm", "message", "contact", "email", "e-mail", "inbox", "text", "ping"}
)
# How sure the model must be to call a message promotional on its wording alone.
WORDING_ONLY: Final = 0.6
# Evidence that conversation explains away (an answer's link, "try this").
TALK_SIGNALS: Final = (
    "link",
    "link_drop",
    "suggestion",
    "call_to_action",
    "own_offering",
    "price",
    "contact_me",
)
# Evidence of selling that no place in a conversation explains away.
HARD_SALES: Final = frozenset(
    {
        "job_offer",
        "engagement_bait",
        "discount",
        "urgency",
        "money_scheme",
        "invite_link",
        "masked_link",
        "affiliate",
        "shortener",
        "self_link",
        "disguised_letters",
    }
)
# What a merely likely conversation (a question, an answer's words) does not explain away.
WEAK_BLOCKERS: Final = frozenset(
    {"call_to_action", "own_offering", "suggestion", "price", "contact_me"}
)
# The most a message in conversation may score: it is promotion only with a sales cue.
TALK_LOGIT: Final = -4.0
SELLING: Final = frozenset(
    {"own_offering", "self_link", "price", "discount", "affiliate", "money_scheme"}
)
KIND_ORDER: Final[tuple[tuple[str, str], ...]] = (
    ("invite_link", "invite"),
    ("engagement_bait", "engagement_bait"),
)

"""Every text the bot says in its own words, keyed, with its English source."""

from __future__ import annotations

from groupbot.core.rulebook.defaults import (
    DEFAULT_BATCH_TEXT,
    DEFAULT_NORMS,
    DEFAULT_NOTE_TEXT,
    DEFAULT_WELCOME_TEXT,
)

__all__ = ["MESSAGES"]

# The key is the msgctxt in the catalogs; the English text is the msgid translators see.
MESSAGES: dict[str, str] = {
    "welcome.text": DEFAULT_WELCOME_TEXT,
    "welcome.batch_text": DEFAULT_BATCH_TEXT,
    "welcome.names_and": "{names} and {last}",
    "welcome.no_intro_channel": "the channels",
    "norms.introduce": DEFAULT_NORMS[0],
    "norms.ratio": DEFAULT_NORMS[1],
    "norms.ask": DEFAULT_NORMS[2],
    "notes.text": DEFAULT_NOTE_TEXT,
    "notes.why": "I noticed {reasons}.",
    "notes.why_and": "{earlier}; and {later}",
    "notes.how_held": (
        "I've held the post for now and passed it to the owners as request #{request}; "
        "you'll hear from me as soon as they decide. "
        "Next time, ask first with /share and the owners will take a look."
    ),
    "notes.how_to_ask": "If you'd like to share a promotion, ask the owners first with /share.",
    "why.cross_post": (
        "the same message went to {count} channels within {minutes} minutes ({channels})"
    ),
    "why.invite_link": "your post invites people to {where} ({url})",
    "why.invite_link.discord": "a Discord server",
    "why.invite_link.slack": "a Slack workspace",
    "why.invite_link.telegram": "a Telegram group",
    "why.invite_link.whatsapp": "a WhatsApp group",
    "why.invite_link.facebook": "a Facebook group",
    "why.invite_link.elsewhere": "another group",
    "why.link_flood.newcomer": (
        "your post carries {count} links ({domains}), more than the {limit} we suggest "
        "for a newcomer's post"
    ),
    "why.link_flood.single": (
        "your post carries {count} links ({domains}), more than the {limit} we suggest "
        "for a single post"
    ),
    "why.promote_before_introduce": (
        "your post looks like a promotion ({evidence}) and you haven't introduced yourself yet"
    ),
    "why.self_promo_ratio": (
        "{promotional} of your last {total} posts (over {days} days) promote something, "
        "and the community's budget is about {share}"
    ),
}

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
    "reply.share_thanks": (
        "Thanks for asking first! Request #{request} is with the owners; I'll let you know."
    ),
    "reply.approved_pass": (
        "Good news: the owners approved request #{request}. "
        "You're welcome to post it in #{channel} yourself."
    ),
    "reply.approved_published": (
        "Good news: the owners approved request #{request} and I've shared it in "
        "#{channel} for you."
    ),
    "reply.owners_note": "{text} Note from the owners: {note}",
    "reply.attribution": "Shared by {name} with the owners' OK: {text}",
    "reply.denied": (
        "The owners decided not to share request #{request} this time: {reason}. "
        "You're welcome to edit it and ask again with /share."
    ),
    "reply.denied_asked_first": "Thanks for asking first. {denial}",
    "reply.expired": (
        "Sorry, the owners didn't get to request #{request} in time, so it has lapsed. "
        "You're welcome to ask again with /share."
    ),
    "notice.request": (
        "Request #{request} from {name} for #{channel} ({rule}): {quote} "
        "— approve {request} / deny {request} REASON"
    ),
    "notice.request_asked_first": (
        "Request #{request} from {name} for #{channel}: {quote} "
        "— approve {request} / deny {request} REASON"
    ),
    "notice.reminder": (
        "Reminder: request #{request} ({summary}) is still waiting. It lapses at {expires} UTC."
    ),
    "notice.escalation": (
        "{name} has had {notes} etiquette notes in {days} days (latest: {rule}). "
        "A personal word from an owner may help; groupbot never bans."
    ),
    "notice.delivery_given_up": (
        "groupbot gave up on a message it owed here ({action}, #{outbox}) after {attempts} "
        "tries: the platform kept refusing it. Whoever runs groupbot can list such messages "
        "with `groupbot outbox list --failed -c {community}` and send them again with "
        "`groupbot outbox retry`."
    ),
    "refusal.owners_only": "Only owners and moderators can {what}.",
    "refusal.what.approve": "approve requests",
    "refusal.what.deny": "deny requests",
    "refusal.what.queue": "see the queue",
    "refusal.what.settings": "see or change settings",
    "refusal.what.stats": "see the statistics",
    "refusal.what.configuration": "change the configuration",
    "refusal.what.forget": "forget members",
    "refusal.unknown_command": "Unknown command {name}. Try: {commands}.",
    "refusal.no_request": "There is no request #{request}.",
    "refusal.not_your_request": "You have no request #{request}.",
    "reply.approved_owner_published": (
        "Approved request #{request} from {name}: it is published in #{channel}."
    ),
    "reply.approved_owner_pass": (
        "Approved request #{request} from {name}: the member may post it now."
    ),
    "reply.denied_owner": (
        "Denied request #{request} from {name}; the member has been told why, kindly."
    ),
    "reply.withdrawn": "Request #{request} is withdrawn.",
    "reply.queue": "Pending requests:\n{lines}",
    "reply.queue_asked_first": "asked first",
    "reply.queue_empty": "The queue is empty.",
    "refusal.already_approved": "Request #{request} was already approved.",
    "refusal.already_approved_by": "Request #{request} was already approved by {by}.",
    "refusal.already_denied": "Request #{request} was already denied.",
    "refusal.already_denied_by": "Request #{request} was already denied by {by}.",
    "refusal.closed.expired": "Request #{request} is expired and can no longer be decided.",
    "refusal.closed.withdrawn": "Request #{request} is withdrawn and can no longer be decided.",
    "refusal.closed": "Request #{request} is {status} and can no longer be decided.",
    "help.header": "groupbot commands:",
    "help.help": "help — what groupbot can do for you",
    "help.share": "share CHANNEL TEXT — ask the owners before sharing a promotion",
    "help.withdraw": "withdraw ID — withdraw your own pending request",
    "help.queue": "queue — list pending requests (owners)",
    "help.approve": "approve ID [NOTE] — approve a request (owners)",
    "help.deny": "deny ID REASON — deny a request with a kind reason (owners)",
    "help.stats": "stats — the community's health (owners)",
    "help.shadow": "shadow on|off — record decisions without sending anything (owners)",
    "help.forget": "forget MEMBER — delete everything stored about a member (owners)",
    "help.config": "config show [KEY] | set KEY VALUE | reset KEY | history — settings (owners)",
    "reply.shadow_on": "Shadow mode is on: I'll record decisions and send nothing to members.",
    "reply.shadow_off": "Shadow mode is off: I'll coach members again.",
    "reply.forgotten": "Forgot {member}: {records} records deleted.",
    "refusal.usage.share": "Usage: share CHANNEL TEXT — say where and what.",
    "refusal.usage.approve": "Usage: approve ID [NOTE], e.g. approve 3",
    "refusal.usage.deny": "Usage: deny ID REASON, e.g. deny 3 please introduce yourself first",
    "refusal.usage.deny_reason": "Usage: deny ID REASON — members deserve a reason.",
    "refusal.usage.withdraw": "Usage: withdraw ID, e.g. withdraw 3",
    "refusal.usage.shadow": "Usage: shadow on|off",
    "refusal.usage.forget": "Usage: forget MEMBER",
    "first_run.hello": "Hi! groupbot is now set up in {community}. Here's how I'll start:",
    "first_run.intro": "- Introductions: I watch {channels} for newcomers' introductions.",
    "first_run.no_intro": (
        "- Introductions: I found none of the channels I look for ({wanted}). Name yours with "
        "/groupbot config set channels.intro #your-channel"
    ),
    "first_run.moderators": "- Moderators: requests for approval go to {channel}.",
    "first_run.no_moderators": (
        "- Moderators: there's no moderators' channel, so I'll send requests for approval "
        "to the owners by DM."
    ),
    "first_run.missing_moderators": (
        "- Moderators: I couldn't find {channel}, so until it exists I'll send requests for "
        "approval to the owners by DM."
    ),
    "first_run.shadow": (
        "For the first {days} days (until {until}) I'm in shadow mode: I'll record what I "
        "would do and say nothing to members, so you can watch me before I coach anyone."
    ),
    "first_run.watch": "/groupbot stats counts what I would have done so far.",
    "first_run.live": "I'm active from now on: I welcome newcomers and coach posts.",
    "first_run.commands": (
        "To change anything:\n"
        "- /groupbot config set KEY VALUE, e.g. /groupbot config set channels.moderators #mods\n"
        "- /groupbot shadow off to start coaching right away (or shadow on to watch longer)\n"
        "- /groupbot settings for the main settings in one form"
    ),
}

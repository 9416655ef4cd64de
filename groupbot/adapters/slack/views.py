"""Block Kit: owner notifications, their decided form, the deny and share modals."""

from __future__ import annotations

from typing import Any

from groupbot.core.actions import OwnerNotice, OwnersNotified, OwnersReminded, RequestDecided
from groupbot.storage.repositories import RequestRow

__all__ = [
    "APPROVE",
    "DENY",
    "DENY_VIEW",
    "SHARE_OPEN",
    "SHARE_VIEW",
    "Blocks",
    "decided_blocks",
    "deny_modal",
    "escape",
    "notification_blocks",
    "request_buttons",
    "share_modal",
]

APPROVE = "groupbot_approve"
DENY = "groupbot_deny"
SHARE_OPEN = "groupbot_share_open"
DENY_VIEW = "groupbot_deny_view"
SHARE_VIEW = "groupbot_share_view"
SECTION_LIMIT = 2900

Blocks = list[dict[str, Any]]

VERBS = {
    "approved": ":white_check_mark: Approved",
    "denied": ":no_entry_sign: Denied",
    "withdrawn": ":leftwards_arrow_with_hook: Withdrawn",
    "expired": ":hourglass: Expired",
}


def escape(text: str, limit: int = SECTION_LIMIT) -> str:
    """Member text made safe for mrkdwn (no mentions or links smuggled in), and bounded."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _quote(text: str) -> str:
    return "\n".join("> " + line for line in escape(text, 2000).splitlines() or [""])


def request_buttons(request: int) -> dict[str, Any]:
    """An actions block with Approve / Deny for one request (value = the request id)."""
    return {
        "type": "actions",
        "block_id": f"request_{request}",
        "elements": [
            {
                "type": "button",
                "action_id": APPROVE,
                "style": "primary",
                "text": {"type": "plain_text", "text": "Approve"},
                "value": str(request),
            },
            {
                "type": "button",
                "action_id": DENY,
                "style": "danger",
                "text": {"type": "plain_text", "text": "Deny"},
                "value": str(request),
            },
        ],
    }


def _summary(row: RequestRow | None, notice: OwnerNotice) -> Blocks:
    request = int(getattr(notice, "request", 0) or (row.id if row else 0))
    member = row.member if row else str(getattr(notice, "member", ""))
    channel = row.channel if row else str(getattr(notice, "channel", ""))
    rule = row.rule if row else getattr(notice, "rule", None)
    how = f"held by *{rule}*" if rule else "asked first with /share"
    blocks: Blocks = [
        _section(f"*Request #{request}* from <@{member}> for *#{escape(channel, 80)}* ({how})")
    ]
    if row is not None and row.text:
        blocks.append(_section(_quote(row.text)))
    if row is not None and row.evidence:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": "Evidence: " + escape(row.evidence, 1900)}],
            }
        )
    return blocks


def notification_blocks(row: RequestRow | None, notice: OwnersNotified | OwnersReminded) -> Blocks:
    """A pending request for the owners: member, post, rule, evidence, Approve / Deny."""
    blocks = _summary(row, notice)
    if isinstance(notice, OwnersReminded):
        blocks.insert(0, _section(":alarm_clock: *Still waiting for a decision*"))
    blocks.append(request_buttons(notice.request))
    return blocks


def decided_blocks(row: RequestRow | None, decided: RequestDecided) -> tuple[str, Blocks]:
    """A notification after the decision: who decided and how, buttons gone."""
    status = decided.status
    verb = VERBS.get(status, status.capitalize())
    by = decided.by
    line = f"{verb}" + (f" by <@{by}>" if by and status != "expired" else "")
    if decided.note:
        line += f": {escape(decided.note, 1000)}"
    text = f"Request #{decided.request}: {status}" + (f" by {by}" if by else "")
    return text, [*_summary(row, decided), _section(line)]


def deny_modal(request: int, origin: str) -> dict[str, Any]:
    """The modal asking an owner for the reason of a denial."""
    return {
        "type": "modal",
        "callback_id": DENY_VIEW,
        "private_metadata": f"{request}|{origin}",
        "title": {"type": "plain_text", "text": f"Deny request #{request}"[:24]},
        "submit": {"type": "plain_text", "text": "Deny"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": "reason",
                "label": {"type": "plain_text", "text": "Reason (the member will see it)"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "reason_input",
                    "multiline": True,
                    "max_length": 1000,
                },
            }
        ],
    }


def share_modal(text: str = "", channel: str | None = None) -> dict[str, Any]:
    """The /share modal: which channel, and what to share."""
    select: dict[str, Any] = {"type": "conversations_select", "action_id": "channel_select"}
    select["filter"] = {"include": ["public", "private"], "exclude_bot_users": True}
    if channel:
        select["initial_conversation"] = channel
    text_input: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "text_input",
        "multiline": True,
        "max_length": 3000,
    }
    if text:
        text_input["initial_value"] = text[:3000]
    return {
        "type": "modal",
        "callback_id": SHARE_VIEW,
        "title": {"type": "plain_text", "text": "Ask to share"},
        "submit": {"type": "plain_text", "text": "Send to owners"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            _section(
                "Ask the owners before you share a promotion. They'll approve or decline, "
                "and I'll let you know either way."
            ),
            {
                "type": "input",
                "block_id": "channel",
                "label": {"type": "plain_text", "text": "Channel"},
                "element": select,
            },
            {
                "type": "input",
                "block_id": "text",
                "label": {"type": "plain_text", "text": "What you'd like to share"},
                "element": text_input,
            },
        ],
    }

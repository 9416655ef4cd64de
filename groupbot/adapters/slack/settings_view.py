"""The owners' Settings modal in App Home: the settings they change most, checked inline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from groupbot.core.overrides import SettingError, apply_overrides, effective_value, parse_setting
from groupbot.core.rulebook import Rulebook

__all__ = [
    "FIELDS",
    "SETTINGS_OPEN",
    "SETTINGS_VIEW",
    "settings_button",
    "settings_modal",
    "submitted",
    "validate",
]

SETTINGS_OPEN = "groupbot_settings_open"
SETTINGS_VIEW = "groupbot_settings"

# Each field's block id is its setting key with dots as dashes (Slack ids allow no dots).
FIELDS: tuple[tuple[str, str], ...] = (
    ("channels.intro", "Introduction channels"),
    ("channels.moderators", "Moderators' channel"),
    ("welcome.mode", "How newcomers are welcomed"),
    ("welcome.text", "Welcome text"),
    ("shadow_mode", "Shadow mode"),
    ("rules.link_flood.max_links", "Most links in one post"),
    ("detection.threshold", "Promotion threshold (0 to 1)"),
)
MODES = {"auto": "As the platform suits", "dm": "A direct message", "channel": "A channel post"}


def block_id(key: str) -> str:
    """A setting key as a Slack block id."""
    return key.replace(".", "-")


def _text(value: str) -> dict[str, str]:
    return {"type": "plain_text", "text": value}


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": _text(label), "value": value}


def _element(key: str, rulebook: Rulebook, channel_ids: Mapping[str, list[str]]) -> dict[str, Any]:
    """The input element for one setting, filled with the value in force."""
    value = effective_value(rulebook, key)
    element: dict[str, Any]
    if key == "channels.intro":
        element = {"type": "multi_conversations_select", "filter": {"include": ["public"]}}
        if channel_ids.get(key):
            element["initial_conversations"] = channel_ids[key]
    elif key == "channels.moderators":
        element = {"type": "conversations_select", "filter": {"include": ["public", "private"]}}
        if channel_ids.get(key):
            element["initial_conversation"] = channel_ids[key][0]
    elif key == "welcome.mode":
        options = [_option(v, label) for v, label in MODES.items()]
        element = {"type": "static_select", "options": options}
        element["initial_option"] = _option(str(value), MODES[str(value)])
    elif key == "shadow_mode":
        options = [_option("on", "On: record, send nothing"), _option("off", "Off")]
        element = {"type": "static_select", "options": options}
        element["initial_option"] = options[0] if value else options[1]
    elif key == "welcome.text":
        element = {"type": "plain_text_input", "multiline": True, "initial_value": str(value)}
    else:
        decimal = isinstance(value, float)
        element = {"type": "number_input", "is_decimal_allowed": decimal}
        element["initial_value"] = str(value)
    element["action_id"] = "value"
    return element


def settings_modal(
    rulebook: Rulebook, channel_ids: Mapping[str, list[str]], metadata: str = ""
) -> dict[str, Any]:
    """The Settings modal, each field showing the community's setting in force."""
    blocks = [
        {
            "type": "input",
            "block_id": block_id(key),
            "label": _text(label),
            "optional": key == "channels.moderators",
            "element": _element(key, rulebook, channel_ids),
        }
        for key, label in FIELDS
    ]
    return {
        "type": "modal",
        "callback_id": SETTINGS_VIEW,
        "title": _text("Settings"),
        "submit": _text("Save"),
        "close": _text("Cancel"),
        "private_metadata": metadata,
        "blocks": blocks,
    }


def settings_button() -> dict[str, Any]:
    """The App Home button that opens the modal."""
    return {
        "type": "actions",
        "block_id": "settings",
        "elements": [
            {
                "type": "button",
                "action_id": SETTINGS_OPEN,
                "text": _text("Settings"),
                "value": "settings",
            }
        ],
    }


def submitted(values: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, str]:
    """What the owner entered, as the text `config set` takes (channel ids become names)."""
    out: dict[str, str] = {}
    for key, _label in FIELDS:
        field = (values.get(block_id(key)) or {}).get("value") or {}
        if key == "channels.intro":
            ids = field.get("selected_conversations") or []
            out[key] = ", ".join(names.get(i, i) for i in ids)
        elif key == "channels.moderators":
            chosen = field.get("selected_conversation")
            out[key] = '""' if not chosen else names.get(chosen, chosen)
        elif key in ("welcome.mode", "shadow_mode"):
            option = field.get("selected_option") or {}
            picked = str(option.get("value") or "")
            out[key] = {"on": "true", "off": "false"}.get(picked, picked)
        else:
            out[key] = str(field.get("value") or "")
    return out


def validate(
    defaults: Rulebook, own: Mapping[str, Any], typed: Mapping[str, str], current: Rulebook
) -> tuple[dict[str, str], dict[str, Any]]:
    """Inline errors by block id, or the settings that change (key -> value)."""
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    for key, text in typed.items():
        try:
            value = parse_setting(key, text)
            apply_overrides(defaults, {**own, key: value})
        except SettingError as exc:
            errors[block_id(key)] = exc.problem
            continue
        if value != effective_value(current, key):
            changes[key] = value
    if not errors and changes:
        try:
            apply_overrides(defaults, {**own, **changes})
        except SettingError as exc:
            errors[block_id(exc.key) if exc.key in typed else block_id(FIELDS[0][0])] = str(exc)
    return errors, changes

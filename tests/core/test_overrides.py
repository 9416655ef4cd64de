"""Setting keys, values typed by owners, and overrides applied with the rulebook's own checks."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groupbot.core.overrides import (
    KEYS,
    SettingError,
    apply_overrides,
    check_key,
    effective_value,
    overrides_from_toml,
    overrides_to_toml,
    parse_setting,
    show_value,
)
from groupbot.core.rulebook import Rulebook, RulebookError, parse_rulebook

DEFAULTS = Rulebook()


def test_keys_are_every_leaf_of_the_rulebook_in_order() -> None:
    assert KEYS[0] == "shadow_mode"
    for key in (
        "channels.intro",
        "welcome.text",
        "rules.link_flood.max_links",
        "retention.message_days",
    ):
        assert key in KEYS
    assert "rules.link_flood" not in KEYS and "channels" not in KEYS
    assert len(KEYS) == len(set(KEYS))


@pytest.mark.parametrize(
    ("key", "typed", "value"),
    [
        ("shadow_mode", "true", True),
        ("rules.link_flood.max_links", "3", 3),
        ("detection.threshold", "0.7", 0.7),
        ("welcome.text", "Hi {name}, hello!", "Hi {name}, hello!"),
        ("welcome.text", '"Hi {name}"', "Hi {name}"),
        ("welcome.mode", "dm", "dm"),
        ("community.name", "2024", "2024"),
        ("channels.intro", "#hello, intros", ["hello", "intros"]),
        ("channels.intro", '["a", "b"]', ["a", "b"]),
        ("channels.intro", '"one"', ["one"]),
        ("channels.welcome", "#General", "General"),
        ("rules.cross_post.exempt_channels", "#ads", ["ads"]),
        (
            "detection.allow_domains",
            "example.com, docs.example.org",
            ["example.com", "docs.example.org"],
        ),
        ("owners.members", "U1,U2", ["U1", "U2"]),
    ],
)
def test_values_are_toml_or_plain_text(key: str, typed: str, value: object) -> None:
    parsed = parse_setting(key, typed)
    assert parsed == value
    assert effective_value(apply_overrides(DEFAULTS, {key: parsed}), key) == value


@pytest.mark.parametrize(
    ("key", "typed", "wanted"),
    [
        (
            "channels.intros",
            "x",
            "channels.intros: unknown setting; did you mean 'channels.intro'?",
        ),
        ("welcome", "x", "welcome: is a table, not a setting; its settings: welcome.enabled,"),
        ("zzz", "x", "zzz: unknown setting; see `config show` for every key"),
        (
            "rules.link_flood.max_links",
            "lots",
            "'lots' is not a value; write a whole number, e.g. 5",
        ),
        ("shadow_mode", "yes", "shadow_mode: 'yes' is not a value; write true or false"),
        (
            "rules.link_flood.max_links",
            "0",
            "rules.link_flood.max_links: must be at least 1, not 0",
        ),
        ("rules.link_flood.max_links", "3.0", "must be an integer, not a float"),
        ("welcome.mode", "loud", "must be one of 'auto', 'dm' or 'channel', not 'loud'"),
        ("welcome.text", "Hi {nam}", "welcome.text: unknown placeholder {nam}"),
        ("detection.threshold", "inf", "detection.threshold: must be at most 1.0"),
        ("channels.intro", '["a", "a"]', "lists 'a' more than once"),
        (
            "rules.link_flood.max_links",
            "1",
            "must be at least rules.link_flood.max_links_watched (2)",
        ),
    ],
)
def test_bad_keys_and_values_name_the_key(key: str, typed: str, wanted: str) -> None:
    with pytest.raises(SettingError) as info:
        apply_overrides(DEFAULTS, {key: parse_setting(key, typed)})
    assert wanted in str(info.value)
    assert "\n" not in str(info.value)


def test_check_key_trims_and_keeps_exact_keys() -> None:
    assert check_key(" welcome.text ") == "welcome.text"
    with pytest.raises(
        SettingError, match=r"Welcome\.Text: unknown setting; did you mean 'welcome\.text'"
    ):
        check_key("Welcome.Text")


def test_overrides_apply_on_the_deployments_defaults_not_the_schemas() -> None:
    deployment = parse_rulebook("[rules.link_flood]\nmax_links_watched = 0\nmax_links = 9\n")
    rb = apply_overrides(deployment, {"rules.link_flood.max_links": 1})
    assert rb.rules.link_flood.max_links == 1 and rb.rules.link_flood.max_links_watched == 0
    assert apply_overrides(deployment, {}) == deployment


def test_show_value_is_one_line_and_bounded() -> None:
    assert show_value("a\nb") == '"a\\nb"'
    assert show_value(["x", "y"]) == '["x", "y"]'
    assert show_value(True) == "true"
    assert show_value("x" * 100, 20) == '"' + "x" * 16 + "..."


def test_export_writes_tables_and_import_reads_them_back() -> None:
    overrides = {
        "shadow_mode": True,
        "welcome.text": "Hi {name}\nwelcome",
        "channels.intro": ["hello"],
        "rules.link_flood.max_links": 7,
    }
    text = overrides_to_toml(overrides)
    assert text.startswith('shadow_mode = true\n\n[channels]\nintro = ["hello"]\n')
    assert tomllib.loads(text)["rules"]["link_flood"]["max_links"] == 7
    assert overrides_from_toml(text, "t.toml", DEFAULTS) == overrides
    assert overrides_to_toml({}) == ""


def test_import_names_file_line_and_key() -> None:
    with pytest.raises(RulebookError, match=r"^t.toml:2: welcome.mode: must be one of"):
        overrides_from_toml('[welcome]\nmode = "loud"\n', "t.toml", DEFAULTS)
    deployment = parse_rulebook("[rules.link_flood]\nmax_links_watched = 4\nmax_links = 9\n")
    with pytest.raises(SettingError, match="max_links: must be at least"):
        overrides_from_toml("[rules.link_flood]\nmax_links = 3\n", "t.toml", deployment)


@given(st.sampled_from(KEYS), st.text(max_size=40))
def test_any_typed_text_is_a_value_or_a_setting_error(key: str, typed: str) -> None:
    try:
        apply_overrides(DEFAULTS, {key: parse_setting(key, typed)})
    except SettingError as exc:
        assert str(exc).startswith(exc.key)

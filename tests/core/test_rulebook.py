"""Tests for the rulebook: defaults, strict validation with lines, round trip, rule scope."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from groupbot.core.rulebook import (
    Detection,
    LinkFlood,
    Owners,
    Rulebook,
    RulebookError,
    RuleScope,
    Welcome,
    load_rulebook,
    parse_rulebook,
    render_template,
    rulebook_to_toml,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "rulebook.toml"


def _error(text: str, source: str = "rb.toml") -> RulebookError:
    """Parse text expecting a RulebookError and return it."""
    with pytest.raises(RulebookError) as info:
        parse_rulebook(textwrap.dedent(text), source)
    return info.value


# --------------------------------------------------------------------------- defaults


def test_defaults_match_the_schema() -> None:
    """An empty rulebook has exactly the documented defaults."""
    rb = Rulebook()
    assert parse_rulebook("") == rb
    assert load_rulebook(None) == rb
    assert rb.shadow_mode is False
    assert rb.community.name == ""
    assert len(rb.community.norms) == 3
    assert rb.channels.intro == ("introductions", "intros", "introduce-yourself", "say-hello")
    assert rb.channels.promotion == ("promotions", "self-promo", "shameless-plugs")
    assert (rb.channels.welcome, rb.channels.moderators) == ("general", "")
    assert rb.owners == Owners(members=(), roles=(), moderators=())
    assert (rb.watch.first_posts, rb.watch.first_days) == (10, 14)
    assert (rb.welcome.enabled, rb.welcome.mode, rb.welcome.dm_per_minute) == (True, "auto", 10)
    assert rb.detection.threshold == 0.5
    assert (rb.notes.escalate_after, rb.notes.escalate_window_days) == (3, 30)
    assert (rb.approvals.remind_after_hours, rb.approvals.expire_after_hours) == (24, 72)
    assert rb.approvals.on_approve == "publish"
    assert rb.retention.message_days == 30
    rules = rb.rules
    assert rules.promote_before_introduce.hold is True
    assert (rules.self_promo_ratio.hold, rules.self_promo_ratio.window_days) == (False, 30)
    assert (rules.self_promo_ratio.max_share, rules.self_promo_ratio.min_allowed) == (0.10, 1)
    assert (rules.invite_link.hold, rules.invite_link.hold_watched) == (False, True)
    assert (rules.link_flood.hold, rules.link_flood.max_links_watched) == (True, 2)
    assert rules.link_flood.max_links == 5
    assert (rules.cross_post.hold, rules.cross_post.min_channels) == (True, 3)
    assert (rules.cross_post.window_minutes, rules.cross_post.similarity) == (10, 0.9)
    for rule in (rules.promote_before_introduce, rules.cross_post):
        assert rule.enabled and rule.channels == () and rule.exempt_roles == ()


def test_default_texts_are_personal_and_use_their_placeholders() -> None:
    """Default texts greet by name, point at the intro channel, and quote in notes."""
    rb = Rulebook()
    for field in ("{name}", "{intro_channel}", "{norms}", "{community}"):
        assert field in rb.welcome.text
    assert "{names}" in rb.welcome.batch_text
    for field in ("{name}", "{quote}", "{why}", "{how_to_ask}"):
        assert field in rb.notes.text
    text = render_template(
        rb.welcome.text,
        {"name": "Ana", "community": "Makers", "intro_channel": "#intros", "norms": "• be kind"},
    )
    assert text.startswith("Hi Ana, welcome to Makers!")
    assert "{" not in text


def test_every_field_has_a_description() -> None:
    """Every setting is documented in the model."""
    models: list[type] = [Rulebook]
    seen: set[type] = set()
    while models:
        model = models.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, field in model.model_fields.items():  # type: ignore[attr-defined]
            assert field.description, f"{model.__name__}.{name}"
            if isinstance(field.annotation, type) and hasattr(field.annotation, "model_fields"):
                models.append(field.annotation)
    assert len(seen) >= 15


def test_models_are_frozen_and_forbid_extra() -> None:
    """Models are immutable and reject unknown keys when built in Python too."""
    rb = Rulebook()
    with pytest.raises(ValidationError):
        rb.shadow_mode = True  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Rulebook(bogus=1)  # type: ignore[call-arg]


# --------------------------------------------------------------------------- files


def test_example_file_loads() -> None:
    """The shipped example is a valid, non-default rulebook."""
    rb = load_rulebook(EXAMPLE)
    assert rb.community.name == "Indie Makers"
    assert rb.shadow_mode is True
    assert rb.channels.moderators == "mod-queue"
    assert rb.rules.link_flood.max_links == 4
    assert rb.approvals.on_approve == "pass"
    assert rb.is_intro_channel("#Say-Hello")


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    """A missing rulebook is an error naming the path."""
    path = tmp_path / "nope.toml"
    with pytest.raises(RulebookError) as info:
        load_rulebook(path)
    assert str(info.value) == f"{path}: rulebook file not found"
    assert info.value.line is None


def test_directory_and_bad_encoding(tmp_path: Path) -> None:
    """A directory or a non-UTF-8 file is a clear error."""
    with pytest.raises(RulebookError, match="is a directory"):
        load_rulebook(tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"shadow_mode = true\nname = '\xff'\n")
    with pytest.raises(RulebookError, match=r"bad\.toml:2: invalid TOML: file is not UTF-8"):
        load_rulebook(bad)


def test_load_from_file_uses_path_as_source(tmp_path: Path) -> None:
    """Errors from a file carry its path; a BOM is tolerated."""
    path = tmp_path / "rb.toml"
    path.write_text("\ufeff[watch]\nfirst_posts = -1\n", encoding="utf-8")
    with pytest.raises(RulebookError) as info:
        load_rulebook(str(path))
    assert str(info.value).startswith(f"{path}:2: watch.first_posts: must be at least 0")


# --------------------------------------------------------------------------- errors


UNKNOWN_KEYS = [
    ("top level", "shadow_mode = true\nshadowmode = true\n", 2, "shadowmode"),
    ("unknown table", "[watch]\nfirst_posts = 3\n\n[bogus]\nx = 1\n", 4, "bogus"),
    ("in section", "[welcome]\nenabled = true\nmood = 'dm'\n", 3, "welcome.mood"),
    (
        "in rule",
        "[rules.link_flood]\nhold = true\nmax_linkz = 3\n",
        3,
        "rules.link_flood.max_linkz",
    ),
    ("unknown rule", "[rules.spam]\nhold = true\n", 1, "rules.spam"),
    ("dotted key", "[rules]\nlink_flood.colour = 'red'\n", 2, "rules.link_flood.colour"),
    (
        "inline table",
        "shadow_mode = true\nrules = { cross_post = { min_channels = 3, sim = 1 } }\n",
        2,
        "rules.cross_post.sim",
    ),
    ("quoted key", '[rules]\n"link flood" = 1\n', 2, 'rules."link flood"'),
    (
        "after a multi-line string",
        '[notes]\ntext = """\nHi {name}\nfake = 1\n"""\nfake = 2\n',
        6,
        "notes.fake",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "path"), [c[1:] for c in UNKNOWN_KEYS], ids=[c[0] for c in UNKNOWN_KEYS]
)
def test_unknown_keys_name_path_and_line(text: str, line: int, path: str) -> None:
    """Unknown keys at any depth are rejected with their dotted path and line."""
    err = _error(text)
    assert str(err).startswith(f"rb.toml:{line}: {path}: unknown setting")
    assert (err.line, err.path) == (line, path)


def test_unknown_key_suggests_the_closest_setting() -> None:
    """A typo gets a 'did you mean' hint."""
    err = _error("[rules.link_flood]\nmax_link = 8\n")
    assert str(err) == (
        "rb.toml:2: rules.link_flood.max_link: unknown setting; did you mean 'max_links'?"
    )


BAD_VALUES = [
    # (id, toml, line, path, fragment of the problem)
    ("string for int", "[watch]\nfirst_posts = 'ten'\n", 2, "watch.first_posts", "an integer"),
    ("float for int", "[watch]\nfirst_days = 3.0\n", 2, "watch.first_days", "an integer"),
    ("bool for int", "[retention]\nmessage_days = true\n", 2, "retention.message_days", "integer"),
    ("string for bool", "shadow_mode = 'yes'\n", 1, "shadow_mode", "a boolean"),
    ("int for bool", "[welcome]\nenabled = 1\n", 2, "welcome.enabled", "a boolean"),
    ("int for string", "[channels]\nwelcome = 5\n", 2, "channels.welcome", "a string"),
    ("array for string", "[channels]\nwelcome = ['a']\n", 2, "channels.welcome", "a string"),
    ("string for array", "[channels]\nintro = 'intros'\n", 2, "channels.intro", "an array"),
    ("scalar for table", "watch = 3\n", 1, "watch", "must be a table"),
    (
        "bad array item",
        "[channels]\nintro = [\n  'a',\n  3,\n]\n",
        4,
        "channels.intro[1]",
        "a string",
    ),
    ("empty name", "[owners]\nroles = ['mods', ' ']\n", 2, "owners.roles[1]", "empty"),
    ("duplicate", "[channels]\nintro = ['a', '#x', 'A']\n", 2, "channels.intro", "more than once"),
    ("bad mode", "[welcome]\nmode = 'email'\n", 2, "welcome.mode", "'auto', 'dm' or 'channel'"),
    ("bad on_approve", "[approvals]\non_approve = 'yes'\n", 2, "approvals.on_approve", "publish"),
    ("threshold > 1", "[detection]\nthreshold = 1.5\n", 2, "detection.threshold", "at most 1"),
    ("negative", "[watch]\n\nfirst_days = -1\n", 3, "watch.first_days", "at least 0"),
    ("share < 0", "[rules.self_promo_ratio]\nmax_share = -0.1\n", 2, "", "at least 0"),
    ("min_channels 1", "[rules.cross_post]\nmin_channels = 1\n", 2, "", "at least 2"),
    ("similarity", "[rules.cross_post]\nsimilarity = 2\n", 2, "", "at most 1"),
    ("dm_per_minute 0", "[welcome]\ndm_per_minute = 0\n", 2, "welcome.dm_per_minute", "least 1"),
    ("infinite", "[detection]\nthreshold = inf\n", 2, "detection.threshold", "finite"),
    ("nan", "[rules.cross_post]\nsimilarity = nan\n", 2, "", "finite"),
    ("url domain", "[detection]\nallow_domains = ['https://a.io/']\n", 2, "", "bare domain"),
    ("bad domain", "[detection]\nallow_domains = ['a b']\n", 2, "", "not a domain"),
    (
        "expiry before reminder",
        "[approvals]\nremind_after_hours = 48\nexpire_after_hours = 24\n",
        3,
        "approvals.expire_after_hours",
        "greater than approvals.remind_after_hours (48)",
    ),
    (
        "expiry default before reminder",
        "\n[approvals]\nremind_after_hours = 100\n",
        2,
        "approvals.expire_after_hours",
        "reminded before",
    ),
    (
        "watched allowed more links",
        "[rules.link_flood]\nmax_links_watched = 6\n",
        1,
        "rules.link_flood.max_links",
        "at least rules.link_flood.max_links_watched (6)",
    ),
    ("long name", f"[community]\nname = '{'x' * 300}'\n", 2, "community.name", "too long"),
]


@pytest.mark.parametrize(
    ("text", "line", "path", "fragment"),
    [c[1:] for c in BAD_VALUES],
    ids=[c[0] for c in BAD_VALUES],
)
def test_bad_values_name_path_and_line(text: str, line: int, path: str, fragment: str) -> None:
    """Wrong types and out-of-range values are reported with key path and line."""
    err = _error(text)
    assert err.line == line, str(err)
    if path:
        assert err.path == path, str(err)
    assert str(err).startswith(f"rb.toml:{line}: {err.path}: ")
    assert fragment in err.problem, str(err)
    assert "\n" not in str(err)


def test_numbers_accept_integers_where_fractions_are_allowed() -> None:
    """A fraction setting written as an integer is fine."""
    rb = parse_rulebook("[detection]\nthreshold = 1\n[rules.self_promo_ratio]\nmax_share = 0\n")
    assert rb.detection.threshold == 1.0
    assert rb.rules.self_promo_ratio.max_share == 0.0


TEMPLATES = [
    ("welcome.text", "[welcome]\ntext = 'Hi {names}'\n", "unknown placeholder {names}"),
    ("welcome.batch_text", "[welcome]\nbatch_text = 'Hi {name}'\n", "unknown placeholder {name}"),
    ("notes.text", "[notes]\ntext = 'You said {quote}, {intro_channel}'\n", "{intro_channel}"),
    ("notes.text", "[notes]\ntext = 'Hi {name.__class__}'\n", "not a plain name"),
    ("notes.text", "[notes]\ntext = 'Hi {0}'\n", "not a plain name"),
    ("notes.text", "[notes]\ntext = 'Hi {}'\n", "not a plain name"),
    ("welcome.text", "[welcome]\ntext = 'Hi {name!r}'\n", "without '!' or ':'"),
    ("welcome.text", "[welcome]\ntext = 'Hi {name:>9}'\n", "without '!' or ':'"),
    ("welcome.text", "[welcome]\ntext = 'Hi {name'\n", "malformed placeholder"),
    ("welcome.text", "[welcome]\ntext = 'Hi }'\n", "malformed placeholder"),
    ("welcome.text", "[welcome]\ntext = '  '\n", "must not be empty"),
    ("notes.text", f"[notes]\ntext = '{'x' * 2001}'\n", "at most 2000"),
]


@pytest.mark.parametrize(("path", "text", "fragment"), TEMPLATES)
def test_templates_allow_only_their_placeholders(path: str, text: str, fragment: str) -> None:
    """Templates reject unknown or unsafe placeholders, naming them."""
    err = _error(text)
    assert (err.path, err.line) == (path, 2)
    assert fragment in err.problem, str(err)


def test_template_literal_braces_are_allowed() -> None:
    """Doubled braces are literal text, not placeholders."""
    rb = parse_rulebook("[welcome]\ntext = 'Hi {name} {{not a field}}'\n")
    assert render_template(rb.welcome.text, {"name": "Bo"}) == "Hi Bo {not a field}"


SYNTAX = [
    ("missing value", "[watch]\nfirst_posts = \n", 2, 15),
    ("unclosed header", "shadow_mode = true\n[watch\n", 2, 7),
    ("duplicate key", "[watch]\nfirst_posts = 1\nfirst_posts = 2\n", 3, None),
    ("unclosed string", "[community]\nname = 'abc\n", 3, 1),  # tomllib: after the break
    ("at end", "[community]\nnorms = [", 2, None),
]


@pytest.mark.parametrize(
    ("text", "line", "col"), [c[1:] for c in SYNTAX], ids=[c[0] for c in SYNTAX]
)
def test_syntax_errors_give_line_and_column(text: str, line: int, col: int | None) -> None:
    """TOML syntax errors read '<source>:<line>:<col>: invalid TOML: ...'."""
    err = _error(text)
    assert err.line == line
    prefix = f"rb.toml:{line}:{col}:" if col else f"rb.toml:{line}:"
    assert str(err).startswith(prefix)
    assert "invalid TOML: " in str(err)
    assert err.issues[0].column is not None


def test_several_problems_are_all_kept_first_by_line() -> None:
    """The message shows the first problem by line and counts the rest."""
    err = _error("[watch]\nfirst_days = -1\nfirst_posts = 'x'\n\n[welcome]\nmode = 'x'\n")
    assert [i.line for i in err.issues] == [2, 3, 6]
    assert str(err).startswith("rb.toml:2: watch.first_days:")
    assert str(err).endswith("(and 2 more problems)")


def test_too_large_is_rejected() -> None:
    """A huge rulebook is refused before parsing."""
    with pytest.raises(RulebookError, match="too large"):
        parse_rulebook("# " + "x" * 1_000_001)


def test_error_is_a_value_error() -> None:
    """RulebookError can be caught as ValueError."""
    with pytest.raises(ValueError, match=r"^<rulebook>:1: shadow_mode: "):
        parse_rulebook("shadow_mode = 2\n")


# --------------------------------------------------------------------------- round trip


def test_round_trip_defaults() -> None:
    """The effective default rulebook parses back to itself and lists every setting."""
    text = rulebook_to_toml(Rulebook())
    assert parse_rulebook(text) == Rulebook()
    for key in ("shadow_mode", "[rules.cross_post]", "hold_watched", "batch_text", "similarity"):
        assert key in text


def test_round_trip_example_and_tricky_values() -> None:
    """Custom values, including awkward strings, survive a round trip."""
    rb = load_rulebook(EXAMPLE)
    assert parse_rulebook(rulebook_to_toml(rb)) == rb
    tricky = parse_rulebook(
        textwrap.dedent(
            r'''
            [community]
            name = "Quote \" back\\slash \t tab \u00e9 ✨"
            norms = ["a \"\"\" b", "ends with quote \""]

            [welcome]
            text = """
            Line one {name}
              "quoted" \\ and {{braces}} \r\n
            last line"""

            [detection]
            threshold = 0.123456789
            allow_domains = ["*.Example.com"]
            '''
        )
    )
    again = parse_rulebook(rulebook_to_toml(tricky))
    assert again == tricky
    assert '"quoted"' in again.welcome.text


# --------------------------------------------------------------------------- helpers

SCOPES = [
    # (scope kwargs, channel, roles, member, expected)
    ({}, "general", set(), "U1", True),
    ({"enabled": False}, "general", set(), "U1", False),
    ({"channels": ("general", "#Random")}, "#General", set(), "U1", True),
    ({"channels": ("general", "#Random")}, "random", set(), "U1", True),
    ({"channels": ("general",)}, "jobs", set(), "U1", False),
    ({"exempt_channels": ("#Jobs",)}, "jobs", set(), "U1", False),
    ({"exempt_channels": ("jobs",)}, "general", set(), "U1", True),
    ({"exempt_roles": ("Sponsors",)}, "general", {"sponsors", "x"}, "U1", False),
    ({"exempt_roles": ("Sponsors",)}, "general", {"members"}, "U1", True),
    ({"exempt_members": ("U1",)}, "general", set(), "U1", False),
    ({"exempt_members": ("U1",)}, "general", set(), "U2", True),
    ({"channels": ("a",), "exempt_channels": ("a",)}, "a", set(), "U1", False),
]


@pytest.mark.parametrize(("kwargs", "channel", "roles", "member", "expected"), SCOPES)
def test_rule_scope_applies(
    kwargs: dict[str, object], channel: str, roles: set[str], member: str, expected: bool
) -> None:
    """A rule applies when enabled, in scope, and the member is not exempt."""
    scope = RuleScope.model_validate(kwargs)
    assert scope.applies(channel, frozenset(roles), member) is expected
    assert LinkFlood.model_validate(kwargs).applies(channel, frozenset(roles), member) is expected


CHANNELS = [
    ("introductions", True, False),
    ("#Intros", True, False),
    ("  #say-hello ", True, False),
    ("general", False, False),
    ("SELF-PROMO", False, True),
    ("#shameless-plugs", False, True),
]


@pytest.mark.parametrize(("name", "intro", "promotion"), CHANNELS)
def test_channel_roles(name: str, intro: bool, promotion: bool) -> None:
    """Intro and promotion channel checks ignore case and a leading '#'."""
    rb = Rulebook()
    assert rb.is_intro_channel(name) is intro
    assert rb.is_promotion_channel(name) is promotion


@pytest.mark.parametrize(
    ("mode", "platform", "expected"),
    [
        ("auto", "slack", "dm"),
        ("auto", "discord", "channel"),
        ("auto", "replay", "dm"),
        ("auto", "console", "dm"),
        ("dm", "discord", "dm"),
        ("channel", "slack", "channel"),
    ],
)
def test_welcome_resolved_mode(mode: str, platform: str, expected: str) -> None:
    """'auto' means DM on Slack and replay/console, channel post on Discord."""
    assert Welcome.model_validate({"mode": mode}).resolved_mode(platform) == expected


def test_allowed_domains_cover_subdomains() -> None:
    """Allowed domains cover their subdomains, case-insensitively, and nothing else."""
    detection = Detection(allow_domains=("example.com", "*.Makers.io"))
    assert detection.allows_domain("example.com")
    assert detection.allows_domain("Blog.Example.COM")
    assert detection.allows_domain("makers.io")
    assert not detection.allows_domain("badexample.com")
    assert not detection.allows_domain("example.com.evil.io")


def test_owners_named_by_rulebook() -> None:
    """The rulebook's owner members, roles and moderators are recognised."""
    owners = Owners(members=("U1",), roles=("Mods",), moderators=("U9",))
    assert owners.names_owner("U1")
    assert owners.names_owner("U2", frozenset({"mods"}))
    assert not owners.names_owner("U2", frozenset({"members"}))
    assert owners.names_moderator("U9")
    assert not owners.names_moderator("U1")


def test_locator_finds_every_written_key() -> None:
    """Every key written by rulebook_to_toml is located on its own line."""
    from groupbot.core.rulebook.locate import Locator as _Locator

    text = rulebook_to_toml(load_rulebook(EXAMPLE))
    lines = text.splitlines()
    locator = _Locator(text)
    table: tuple[str, ...] = ()
    checked = 0
    for number, line in enumerate(lines, start=1):
        if line.startswith("["):
            table = tuple(line.strip("[]").split("."))
            assert locator.find(table) == number
        elif " = " in line and not line.startswith(("#", " ")):
            key = line.split(" = ", 1)[0]
            assert locator.find((*table, key)) == number, key
            checked += 1
    assert checked >= 50


@pytest.mark.parametrize(
    "text",
    ["a = [", "a = {", "[a", "a = '''x", 'a = """x', "a = [1, {b = ", "a.b.", "= 1", "a = [1 2]"],
)
def test_locator_survives_broken_text(text: str) -> None:
    """The locator never hangs or raises on broken TOML, and every line it names exists."""
    from groupbot.core.rulebook.locate import Locator as _Locator

    lines = _Locator(text).lines
    assert all(1 <= line <= text.count("\n") + 1 for line in lines.values())
    assert all(path and all(isinstance(part, str | int) for part in path) for path in lines)


def test_locator_names_the_line_of_each_key() -> None:
    from groupbot.core.rulebook.locate import Locator

    lines = Locator("x = 1\n[t]\ny = 2\n").lines
    assert lines == {("x",): 1, ("t",): 2, ("t", "y"): 3}


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("ab_.=[]{}\"'#,\n \\{}1-x")) | st.characters(),
        max_size=80,
    )
)
def test_any_text_parses_or_raises_rulebook_error(text: str) -> None:
    """Arbitrary text either parses or raises RulebookError, never anything else."""
    try:
        parse_rulebook(text)
    except RulebookError as err:
        assert "\n" not in str(err)

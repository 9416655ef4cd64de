"""Slack workspace exports, as a ZIP and unzipped, read into one stream of steps."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pytest
from exportkit import DAMAGED, INTRO, PROMO, ts, write_slack_folder, write_slack_zip

from groupbot.core.events import MemberJoined, MessageEdited, MessagePosted
from groupbot.local.backtest.command import replay_export
from groupbot.local.history.records import Problems
from groupbot.local.history.slack_export import slack_time
from groupbot.local.history.source import open_history


@pytest.fixture(params=["folder", "zip"])
def export(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "zip":
        return write_slack_zip(tmp_path / "export.zip")
    return write_slack_folder(tmp_path / "export")


def steps(path: Path, **options: object) -> tuple[list, str]:  # type: ignore[type-arg]
    errors = io.StringIO()
    history = open_history(path, "auto", Problems(errors), **options)  # type: ignore[arg-type]
    try:
        return list(history.steps()), errors.getvalue()
    finally:
        history.close()


def test_time_order_and_community(export: Path) -> None:
    found, _ = steps(export)
    times = [record.at for record, _ in found]
    assert times == sorted(times)
    assert {e.community for _, e in found if e is not None} == {"T1"}


def test_first_join_only_for_members_new_to_the_export(export: Path) -> None:
    found, _ = steps(export)
    joins = [e for _, e in found if isinstance(e, MemberJoined)]
    # Ann joins once (her join in #introductions later is not a new member); Bob posted before
    # his channel_join, so he was there before the bot; Carla joins #random.
    assert [(j.member, j.name) for j in joins] == [("U2", "Ann"), ("U4", "Carla")]
    assert joins[0].at == slack_time(ts(2, 0))


def test_posts_threads_edits_and_deletions(export: Path) -> None:
    found, _ = steps(export)
    posts = [(r, e) for r, e in found if isinstance(e, MessagePosted)]
    texts = [e.text for _, e in posts]
    assert PROMO in texts and INTRO in texts
    reply = next(r for r, e in posts if e.text == "Me too!")
    assert reply.context == ts(2, 30)  # the thread's parent
    answer = next(e for _, e in posts if e.text == "Me too!")
    assert (answer.reply_to, answer.thread) == (ts(2, 30), ts(2, 30))
    parent = next(r for r, e in posts if e.text.startswith("Anyone going"))
    assert parent.context is None
    start = next(e for _, e in posts if e.text.startswith("Anyone going"))
    assert (start.reply_to, start.thread) == (None, None)
    edit = next(e for _, e in found if isinstance(e, MessageEdited))
    assert (edit.member, edit.message, edit.text, edit.channel) == (
        "U4",
        ts(3, 30),
        PROMO,
        "random",
    )
    deleted = [r for r, e in found if r.kind == "delete"]
    assert [(r.message, r.member, e) for r, e in [(d, None) for d in deleted]] == [
        (ts(3, 30), "U4", None)
    ]


def test_bots_and_system_messages_are_never_posts(export: Path) -> None:
    found, _ = steps(export)
    members = {r.member for r, e in found if isinstance(e, MessagePosted)}
    assert members.isdisjoint({"B1", "USLACKBOT", ""})
    texts = [r.text for r, _ in found]
    assert "set the channel purpose" not in texts
    assert sum(t == PROMO for t in texts) == 2  # Ann's post and Carla's edit, no bot's


def test_owners_and_admins_have_owner_rights(export: Path) -> None:
    found, _ = steps(export, owners=frozenset({"U3"}))
    roles = {r.member: r.roles for r, _ in found if r.kind == "post"}
    assert roles["U1"] == {"owner"} and roles["U6"] == {"owner"}  # is_owner, is_admin
    assert roles["U3"] == {"owner"}  # named with --owners
    assert roles["U2"] == frozenset()


def test_private_channels_only_when_asked(export: Path) -> None:
    public, _ = steps(export)
    assert "secret" not in {r.channel for r, _ in public}
    private, _ = steps(export, include_private=True)
    joins = [e.member for _, e in private if isinstance(e, MemberJoined)]
    assert "U5" in joins
    assert "secret" in {r.channel for r, _ in private}


def test_damaged_day_file_is_named_and_its_channel_goes_on(export: Path) -> None:
    found, errors = steps(export)
    assert errors.startswith(f"{DAMAGED}: not valid JSON at line 1, column ")
    assert errors.count("\n") == 1
    after = [r for r, _ in found if r.text == "still here after the damage"]
    assert after and after[0].channel == "general"


def test_replay_writes_actions_and_exits_1_after_damage(export: Path) -> None:
    out, errors = io.BytesIO(), io.StringIO()
    code = replay_export(export, "slack-export", out=out, errors=errors, progress=False)
    actions = [orjson.loads(line) for line in out.getvalue().splitlines()]
    assert code == 1
    assert DAMAGED in errors.getvalue()
    kinds = [a["action"] for a in actions]
    assert kinds.count("welcome") == 2
    assert kinds.count("etiquette_note") == 2  # Ann's promotion, Carla's edit into one
    assert {a["member"] for a in actions if a["action"] == "introduced"} == {"U2"}


def test_a_broken_zip_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "export.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    errors = io.StringIO()
    code = replay_export(bad, "slack-export", out=io.BytesIO(), errors=errors, progress=False)
    assert code == 1
    assert errors.getvalue().startswith(f"groupbot: {bad}: not a readable Slack export")

"""DiscordChatExporter JSON files, one per channel, read into one stream of steps."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
from exportkit import INTRO, PROMO, write_discord

from groupbot.core.events import MemberJoined, MessagePosted
from groupbot.local.backtest.command import replay_export
from groupbot.local.history.records import Problems
from groupbot.local.history.source import open_history


def steps(path: Path, **options: object) -> tuple[list, str, str]:  # type: ignore[type-arg]
    errors = io.StringIO()
    history = open_history(path, "auto", Problems(errors), **options)  # type: ignore[arg-type]
    return list(history.steps()), errors.getvalue(), history.community_name


def test_guild_is_the_community_and_channel_names_are_kept(tmp_path: Path) -> None:
    found, _, name = steps(write_discord(tmp_path / "dce"))
    assert name == "Makers Guild"
    assert {e.community for _, e in found if e is not None} == {"G42"}
    assert {r.channel for r, _ in found} == {"general", "introductions", "random"}
    times = [r.at for r, _ in found]
    assert times == sorted(times)


def test_joins_replies_bots_and_system_messages(tmp_path: Path) -> None:
    found, _, _ = steps(write_discord(tmp_path / "dce"))
    joins = [e.member for _, e in found if isinstance(e, MemberJoined)]
    assert joins == ["200", "400"]  # Bob posted before his join message: there before
    posts = [(r, e) for r, e in found if isinstance(e, MessagePosted)]
    assert "900" not in {e.member for _, e in posts}  # the bot
    assert "pinned" not in {e.text for _, e in posts}  # a system message
    reply = next(r for r, e in posts if e.text == "nice")
    assert reply.context == "3"
    answer = next(e for _, e in posts if e.text == "nice")
    assert (answer.reply_to, answer.thread, answer.mentions) == ("3", None, ("200",))
    opening = next(e for _, e in posts if e.text == "hey all")
    assert (opening.reply_to, opening.mentions) == (None, ())
    assert INTRO in {e.text for _, e in posts} and PROMO in {e.text for _, e in posts}


def test_owner_roles_come_from_the_rulebook_and_owners_option(tmp_path: Path) -> None:
    found, _, _ = steps(
        write_discord(tmp_path / "dce"),
        owner_roles=frozenset({"moderators"}),
        owners=frozenset({"300"}),
    )
    roles = {r.member: r.roles for r, _ in found if r.kind == "post"}
    assert "owner" in roles["100"] and "owner" in roles["300"]
    assert "owner" not in roles["200"]


def test_damaged_file_is_named_with_its_position(tmp_path: Path) -> None:
    found, errors, _ = steps(write_discord(tmp_path / "dce"))
    assert errors.startswith("Makers Guild - Text - random [C3].json: damaged after message ")
    assert any(r.channel == "random" for r, _ in found)  # what was readable is replayed


def test_replay_of_a_single_channel_file(tmp_path: Path) -> None:
    root = write_discord(tmp_path / "dce")
    out, errors = io.BytesIO(), io.StringIO()
    code = replay_export(
        root / "Makers Guild - Text - general [C1].json", out=out, errors=errors, progress=False
    )
    assert code == 0, errors.getvalue()
    actions = [orjson.loads(line) for line in out.getvalue().splitlines()]
    notes = [a for a in actions if a["action"] == "etiquette_note"]
    assert [n["member"] for n in notes] == ["200"]
    assert "Makers Guild" in notes[0]["text"]


def test_owners_posts_are_never_coached(tmp_path: Path) -> None:
    root = write_discord(tmp_path / "dce")
    rules = tmp_path / "rules.toml"
    rules.write_text('[owners]\nroles = ["Moderators"]\n')
    out = io.BytesIO()
    replay_export(root, "discord-export", rules, out=out, errors=io.StringIO(), progress=False)
    actions = [orjson.loads(line) for line in out.getvalue().splitlines()]
    assert "100" not in {a.get("member") for a in actions if a["action"] == "etiquette_note"}

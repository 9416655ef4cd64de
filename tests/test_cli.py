"""The command line as owners and scripts use it: real processes, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from replaykit import PITCH_TEXT, cmd, join, say

GROUPBOT = str(Path(sys.executable).parent / "groupbot")


def run(
    *args: str, stdin: str = "", cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run groupbot as a separate process."""
    return subprocess.run(
        [GROUPBOT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )


def lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


def test_every_command_has_help() -> None:
    for command in (
        ["--help"],
        ["classify", "--help"],
        ["replay", "--help"],
        ["demo", "--help"],
        ["console", "--help"],
        ["rules", "check", "--help"],
        ["rules", "explain", "--help"],
        ["queue", "list", "--help"],
        ["stats", "--help"],
        ["forget", "--help"],
        ["db", "upgrade", "--help"],
        ["backtest", "--help"],
        ["report", "--help"],
    ):
        result = run(*command)
        assert result.returncode == 0, (command, result.stderr)
        assert "Usage" in result.stdout


def test_classify_reads_stdin_and_reports_bad_lines(tmp_path: Path) -> None:
    stdin = (
        "\n".join(
            [
                json.dumps(
                    {"id": "a", "text": "Hi all, I'm Sam, a baker from York. Glad to be here!"}
                ),
                json.dumps({"text": "Subscribe to my channel youtube.com/@samtips for daily tips"}),
                "not json",
                json.dumps({"id": "d", "text": 42}),
            ]
        )
        + "\n"
    )
    result = run("classify", stdin=stdin, cwd=tmp_path)
    assert result.returncode == 1
    out = lines(result.stdout)
    assert [o["id"] for o in out] == ["a", 2, 3, 4]
    assert out[1]["promotional"] is True and out[1]["reasons"]
    assert "error" in out[2] and "error" in out[3]


def test_classify_missing_file_is_one_clear_line(tmp_path: Path) -> None:
    result = run("classify", str(tmp_path / "nope.jsonl"))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "cannot read" in result.stderr


def test_classify_gives_the_same_verdicts_whatever_the_string_hashing() -> None:
    data = Path(__file__).parent / "data" / "community_messages.jsonl"
    texts = [json.loads(x)["text"] for x in data.read_text(encoding="utf-8").splitlines()]
    # Messages with several triggers for one signal: which evidence is quoted must not vary.
    texts += [
        "Please subscribe to my channel and like this video, check out my new song",
        "Hi, I'm new here! I'm a designer, glad to join, first post here, long time lurker",
    ]
    stdin = "".join(json.dumps({"text": t}) + "\n" for t in texts)
    outputs = {
        run(
            "classify", stdin=stdin, env={"PYTHONHASHSEED": seed, "GROUPBOT_PURE_PYTHON": pure}
        ).stdout
        for seed in "123"
        for pure in "01"  # the compiled detectors when built, and the pure ones
    }
    assert len(outputs) == 1
    assert len(outputs.pop().splitlines()) == len(texts)


@pytest.mark.parametrize(
    "command",
    [["classify"], ["classify", "--rules", "rulebook.toml"], ["replay"]],
    ids=["classify-fast", "classify-cli", "replay"],
)
def test_a_reader_that_stops_early_ends_the_run_quietly(tmp_path: Path, command: list[str]) -> None:
    source = tmp_path / "in.jsonl"
    if command[0] == "classify":
        source.write_text((json.dumps({"text": "Check out my channel!"}) + "\n") * 5000)
    else:
        source.write_text("".join(json.dumps(join(f"m{i}", i)) + "\n" for i in range(3000)))
    (tmp_path / "rulebook.toml").write_text("[detection]\nthreshold = 0.6\n")
    with (
        source.open("rb") as stdin,
        subprocess.Popen(
            [GROUPBOT, *command],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
        ) as proc,
    ):
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # the reader is gone before the first line is written
        status = proc.wait(timeout=120)
        errors = proc.stderr.read().decode()
    assert status == 141, errors
    assert "Traceback" not in errors and "not processed" not in errors and "failed" not in errors


def slack_export_of_joins(root: Path, members: int) -> Path:
    """A Slack export folder in which `members` people join #general (a welcome each)."""
    users = [
        {"id": f"U{n}", "team_id": "T1", "name": f"m{n}", "profile": {}} for n in range(members)
    ]
    joins = [
        {"type": "message", "subtype": "channel_join", "user": f"U{n}", "text": "has joined",
         "ts": f"{1704099600 + n}.000000"}
        for n in range(members)
    ]  # fmt: skip
    (root / "general").mkdir(parents=True)
    (root / "users.json").write_text(json.dumps(users))
    (root / "channels.json").write_text(json.dumps([{"id": "C1", "name": "general"}]))
    (root / "general" / "2024-01-01.json").write_text(json.dumps(joins))
    return root


def test_an_export_replay_whose_reader_stops_early_ends_quietly(tmp_path: Path) -> None:
    export = slack_export_of_joins(tmp_path / "export", 500)  # far more than a pipe holds
    with subprocess.Popen(
        [GROUPBOT, "replay", str(export), "--format", "slack-export"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        status = proc.wait(timeout=120)
        errors = proc.stderr.read().decode()
    assert status == 141, errors
    assert errors == ""


def test_replay_from_any_directory_with_a_fresh_database(tmp_path: Path) -> None:
    events = [
        join("olive", 0, roles=["owner"]),
        join("ben", 1),
        say("ben", PITCH_TEXT, 2),
        cmd("olive", "approve", "1", minute=3),
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    result = run("replay", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    actions = lines(result.stdout)
    assert [a["request"] for a in actions if a["action"] == "published"] == [1]
    assert not list(tmp_path.glob("*.db"))  # no --database: nothing written to disk


def test_replay_reads_lone_surrogate_escapes(database_url: str, tmp_path: Path) -> None:
    # json.dumps writes a lone surrogate as "\ud83d" (a cut-off emoji); it is stored as U+FFFD.
    events = [join("ben", 0), say("ben", PITCH_TEXT.replace("!", " \ud83d!"), 1)]
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    result = run("replay", str(path), "--database", database_url)
    assert result.returncode == 0 and not result.stderr, result.stderr
    notes = [a for a in lines(result.stdout) if a["action"] == "etiquette_note"]
    assert [a["member"] for a in notes] == ["ben"]


def test_replay_with_a_broken_rulebook_names_key_and_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text("[watch]\nfirst_posts = 10\nfirst_dayz = 3\n")
    result = run("replay", "--rules", str(rules), stdin="")
    assert result.returncode == 2
    assert "rules.toml:3: watch.first_dayz" in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_rules_check_and_explain(tmp_path: Path) -> None:
    example = Path(__file__).parents[1] / "examples" / "rulebook.toml"
    ok = run("rules", "check", str(example))
    assert ok.returncode == 0 and "ok" in ok.stdout
    explained = run("rules", "explain", "Join my server https://discord.gg/abc123", "--json")
    data = json.loads(explained.stdout)
    assert data["promotional"] is True
    assert any(r["rule"] == "invite_link" and r["fired"] for r in data["rules"])
    readable = run("rules", "explain", "Join my server https://discord.gg/abc123")
    assert "invite_link" in readable.stdout and "discord.gg/abc123" in readable.stdout


@pytest.mark.parametrize("backend", ["sqlite"])
def test_owner_tasks_against_the_configured_database(tmp_path: Path, backend: str) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    env = {"GROUPBOT_DATABASE_URL": url}
    assert run("db", "upgrade", env=env).returncode == 0
    events = tmp_path / "events.jsonl"
    recent = [join("ben", 1), say("ben", PITCH_TEXT, 2), cmd("dev", "share", "promotions", "Hi")]
    now = datetime.now(UTC).replace(microsecond=0)
    for n, event in enumerate(recent):  # recent, so the requests are still pending today
        event["at"] = (now - timedelta(minutes=10 - n)).isoformat()
    events.write_text("".join(json.dumps(e) + "\n" for e in recent))
    assert run("replay", str(events), "--database", url).returncode == 0
    listed = run("queue", "list", "-c", "c1", env=env)
    assert listed.returncode == 0 and "#1" in listed.stdout and "#2" in listed.stdout
    approved = run("queue", "approve", "-c", "c1", "1", env=env)
    assert approved.returncode == 0, approved.stderr
    again = run("queue", "approve", "-c", "c1", "#1", env=env)
    assert again.returncode == 1 and "already approved" in again.stderr
    denied = run("queue", "deny", "-c", "c1", "2", "not", "this", "week", env=env)
    assert denied.returncode == 0
    unknown = run("queue", "deny", "-c", "c1", "9", "no", env=env)
    assert unknown.returncode == 1 and "no request #9" in unknown.stderr
    stats = run("stats", "-c", "c1", env=env)
    assert "Newcomers: 1" in stats.stdout
    forgot = run("forget", "-c", "c1", "ben", env=env)
    assert forgot.returncode == 0 and "Forgot ben" in forgot.stdout


def test_db_upgrade_refuses_an_unknown_url() -> None:
    result = run("db", "upgrade", "--database", "mysql://x@y/z")
    assert result.returncode == 2 and result.stderr.startswith("groupbot: ")


def test_demo_tells_the_whole_story(tmp_path: Path) -> None:
    result = run("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    for expected in (
        "welcome",
        "gentle note",
        "holds",
        "publishes request",
        "decided not to share",
        "Thanks for asking first",
        "Newcomers:",
    ):
        assert expected in text, expected


def test_console_plays_a_scripted_session(tmp_path: Path) -> None:
    script = (
        "\n".join(
            [
                "join olive owner",
                "join ben",
                "ben: " + PITCH_TEXT,
                "olive /queue",
                "olive /approve 1",
                "ben /approve 1",
                "wait 3d",
                "quit",
            ]
        )
        + "\n"
    )
    result = run("console", stdin=script, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "gentle note" in result.stdout and "publishes request #1" in result.stdout
    assert "Only owners and moderators can approve" in result.stdout


def test_classify_uses_the_rulebooks_intro_channels_and_numbers_null_ids(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[channels]\nintro = ["welcome-desk"]\n')
    hello = "Hi all, Sam here. I bake bread in York and I'm glad to have found you."
    stdin = (
        "\n".join(
            [
                json.dumps({"id": None, "text": hello, "channel": "welcome-desk"}),
                json.dumps({"text": "ok", "channel": "welcome-desk"}),
            ]
        )
        + "\n"
    )
    result = run("classify", "--rules", str(rules), stdin=stdin)
    out = lines(result.stdout)
    assert [o["id"] for o in out] == [1, 2]
    assert out[0]["introduction"] is True
    assert any(r["signal"] == "intro_channel" for r in out[1]["intro_reasons"])


def test_an_export_from_the_command_line_to_a_report(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parent / "local"))
    from exportkit import write_slack_zip

    export = write_slack_zip(tmp_path / "export.zip")
    replayed = run("replay", str(export), "--format", "slack-export", "--no-progress")
    assert replayed.returncode == 1  # the export's damaged day file, named on stderr
    assert "general/" in replayed.stderr and len(replayed.stderr.splitlines()) == 1
    assert [a["member"] for a in lines(replayed.stdout) if a["action"] == "welcome"] == ["U2", "U4"]
    out = tmp_path / "report.html"
    backtest = run("backtest", str(export), "--out", str(out), "--json", "--from", "2024-01-01")
    assert backtest.returncode == 1 and out.stat().st_size > 0
    assert json.loads(backtest.stdout)["joined"] == 2
    wrong = run("replay", str(export), "--format", "discord-export")
    assert wrong.returncode != 0 and wrong.stderr.count("\n") == 1
    assert run("replay", "--format", "slack-export", stdin="").returncode == 2


def test_run_refuses_a_shared_database_that_was_not_migrated(postgres_server: Any) -> None:
    name = postgres_server.create_database()
    try:
        env = {
            "GROUPBOT_DATABASE_URL": postgres_server.async_url(name),
            "SLACK_SIGNING_SECRET": "secret",
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_API_URL": "http://127.0.0.1:9/api/",  # never reached
        }
        started = run("run", "slack", "--http", "--port", "0", "--metrics-port", "0", env=env)
        assert started.returncode == 2
        assert started.stderr.count("\n") == 1 and "groupbot db upgrade" in started.stderr
        assert run("db", "upgrade", env=env).returncode == 0  # the migration is its own step
    finally:
        postgres_server.drop_database(name)


async def test_a_running_bot_brings_its_own_sqlite_file_up_to_date(tmp_path: Path) -> None:
    from groupbot.service.runtime import open_service_database
    from groupbot.storage.migrate import require_current

    async with open_service_database(f"sqlite:///{tmp_path / 'fresh.db'}") as engine:
        await require_current(engine)  # one process owns the file: migrated on start

"""`backtest`: the figures and the report agree with what the replay of the same export does."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest
from exportkit import DAMAGED, PROMO, write_discord, write_slack_zip

from groupbot.local.backtest.command import backtest_command, replay_export


def backtest(path: Path, out: Path, *args: Any, **kw: Any) -> tuple[int, dict[str, Any], str]:
    stdout, errors = io.StringIO(), io.StringIO()
    code = backtest_command(
        path, *args, out=out, as_json=True, progress=False, stdout=stdout, errors=errors, **kw
    )
    return code, orjson.loads(stdout.getvalue()), errors.getvalue()


def replayed(path: Path) -> Counter[str]:
    out = io.BytesIO()
    replay_export(path, out=out, errors=io.StringIO(), progress=False)
    return Counter(orjson.loads(line)["action"] for line in out.getvalue().splitlines())


def test_slack_figures_equal_the_replay(tmp_path: Path) -> None:
    export = write_slack_zip(tmp_path / "export.zip")
    code, figures, errors = backtest(export, tmp_path / "report.html")
    assert code == 1 and DAMAGED in errors  # the damaged day file, reported and skipped
    actions = replayed(export)
    assert figures["actions"] == dict(sorted(actions.items()))
    assert figures["joined"] == 2 and figures["introduced"] == 1
    assert figures["notes"] == actions["etiquette_note"] == 2
    assert figures["held"] == 2 and figures["requests"] == 2
    assert figures["problems"] == 1
    notes = figures["notes_sent"]
    assert [(n["member_name"], n["channel"], n["rule"]) for n in notes] == [
        ("Ann", "general", "promote_before_introduce"),
        ("Carla", "random", "promote_before_introduce"),
    ]
    assert notes[0]["post"] == PROMO and notes[0]["held"] and notes[0]["request"] == 1
    assert notes[1]["deleted_later"]  # Carla's edited post was deleted in the real history
    assert any("promotion" in reason for reason in notes[0]["reasons"])


def test_weeks_and_waits(tmp_path: Path) -> None:
    _, figures, _ = backtest(write_slack_zip(tmp_path / "export.zip"), tmp_path / "r.html")
    (week,) = figures["weeks"]
    assert week["week"] == "2024-01-01"
    assert (week["newcomers"], week["introduced"], week["requests"]) == (2, 1, 2)
    assert week["notes"] == {"promote_before_introduce": 2}
    # The admin's next post answers both requests: a day after Ann's, moments after Carla's.
    assert week["wait_hours_max"] == 24.0
    assert figures["promotional_posts"] == 1 and figures["posts"] == week["posts"]


def test_dates_narrow_the_history(tmp_path: Path) -> None:
    export = write_slack_zip(tmp_path / "export.zip")
    _, figures, _ = backtest(export, tmp_path / "r.html", date_from="2024-01-03")
    assert figures["joined"] == 1  # Carla; Ann joined before the range
    assert figures["first_at"].startswith("2024-01-03")
    _, figures, _ = backtest(export, tmp_path / "r.html", date_to="2024-01-02")
    assert figures["last_at"].startswith("2024-01-02")
    assert "--to 2024-01-02" in figures["command"]


def test_discord_backtest_names_the_server(tmp_path: Path) -> None:
    code, figures, errors = backtest(write_discord(tmp_path / "dce"), tmp_path / "r.html")
    assert code == 1 and "random [C3].json: damaged" in errors
    assert figures["community_name"] == "Makers Guild"
    assert figures["platform"] == "discord"
    html = (tmp_path / "r.html").read_text()
    assert "What groupbot would have done in Makers Guild" in html


@pytest.mark.parametrize(
    ("kw", "code", "message"),
    [
        ({"fmt": "csv"}, 2, "unknown format 'csv'"),
        ({"date_from": "last week"}, 2, "--from takes a date"),
    ],
)
def test_bad_options(tmp_path: Path, kw: dict[str, str], code: int, message: str) -> None:
    export = write_slack_zip(tmp_path / "export.zip")
    errors = io.StringIO()
    got = backtest_command(export, out=tmp_path / "r.html", errors=errors, progress=False, **kw)
    assert got == code and message in errors.getvalue()
    assert not (tmp_path / "r.html").exists()


def test_jsonl_replay_is_the_existing_replay(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(
        '{"type": "join", "at": "2024-01-01T00:00:00Z", "community": "c1", "member": "U1"}\n'
    )
    out = io.BytesIO()
    assert replay_export(events, out=out, errors=io.StringIO(), progress=False) == 0
    assert orjson.loads(out.getvalue().splitlines()[0])["action"] == "welcome"


def test_pruning_old_rows_changes_no_action(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from groupbot.local.backtest import drive

    export = write_slack_zip(tmp_path / "export.zip")
    rules = tmp_path / "rules.toml"  # windows of a day: the five-day export outlives them
    rules.write_text(
        "[watch]\nfirst_days = 1\n[notes]\nescalate_window_days = 1\n"
        "[rules.self_promo_ratio]\nwindow_days = 1\n"
    )
    out_kept, out_pruned = io.BytesIO(), io.BytesIO()
    monkeypatch.setattr(drive, "PRUNE_EVERY", 10**9)  # never
    replay_export(export, rules=rules, out=out_kept, errors=io.StringIO(), progress=False)
    monkeypatch.setattr(drive, "PRUNE_EVERY", 1)  # sweep after every event
    replay_export(export, rules=rules, out=out_pruned, errors=io.StringIO(), progress=False)
    assert out_pruned.getvalue() == out_kept.getvalue()
    assert b"etiquette_note" in out_kept.getvalue()


def test_the_private_database_acts_as_a_real_one(tmp_path: Path) -> None:
    # In memory: no worker thread, no daily retention sweeps, its own pruning. On a file:
    # every sweep, the driver's thread. The actions must be the same.
    export = write_slack_zip(tmp_path / "export.zip")
    private, stored = io.BytesIO(), io.BytesIO()
    replay_export(export, out=private, errors=io.StringIO(), progress=False)
    database = f"sqlite:///{tmp_path / 'groupbot.db'}"
    replay_export(export, database=database, out=stored, errors=io.StringIO(), progress=False)
    assert private.getvalue() == stored.getvalue()
    assert b"etiquette_note" in private.getvalue()

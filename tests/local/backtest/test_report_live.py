"""`groupbot report`: the page made from a live database agrees with the backtest."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import orjson
from exportkit import write_slack_zip

from groupbot.local.backtest.command import backtest_command, replay_export
from groupbot.local.backtest.live import report_command

SAME = ("joined", "introduced", "notes", "held", "requests", "notes_by_rule", "promotional_posts")


def report(database: str, out: Path, *args: Any, **kw: Any) -> tuple[int, dict[str, Any], str]:
    stdout, errors = io.StringIO(), io.StringIO()
    code = report_command(
        "T1", database, out, *args, as_json=True, stdout=stdout, errors=errors, **kw
    )
    return code, orjson.loads(stdout.getvalue() or "{}"), errors.getvalue()


def test_the_live_report_has_the_backtests_figures(tmp_path: Path, database_url: str) -> None:
    export = write_slack_zip(tmp_path / "export.zip")
    replay_export(
        export, database=database_url, out=io.BytesIO(), errors=io.StringIO(), progress=False
    )
    stdout = io.StringIO()
    backtest_command(
        export, out=tmp_path / "b.html", as_json=True, progress=False, stdout=stdout,
        errors=io.StringIO(),
    )  # fmt: skip
    expected = orjson.loads(stdout.getvalue())
    code, figures, errors = report(database_url, tmp_path / "live.html")
    assert (code, errors) == (0, "")
    assert {k: figures[k] for k in SAME} == {k: expected[k] for k in SAME}
    assert [(n["member"], n["rule"]) for n in figures["notes_sent"]] == [
        (n["member"], n["rule"]) for n in expected["notes_sent"]
    ]
    page = (tmp_path / "live.html").read_text()
    assert "What groupbot did in" in page and "would have" not in page
    assert database_url not in page  # the URL may carry a password


def test_a_date_range_leaves_out_what_happened_outside_it(
    tmp_path: Path, database_url: str
) -> None:
    export = write_slack_zip(tmp_path / "export.zip")
    replay_export(
        export, database=database_url, out=io.BytesIO(), errors=io.StringIO(), progress=False
    )
    code, figures, _ = report(database_url, tmp_path / "r.html", "2030-01-01", "2030-01-31")
    assert code == 0
    assert (figures["joined"], figures["notes"], figures["posts"]) == (0, 0, 0)


def test_refusals_are_one_line_and_write_nothing(tmp_path: Path, database_url: str) -> None:
    out = tmp_path / "r.html"
    code, _, errors = report(database_url, out)  # nothing recorded: no such community
    assert code == 2 and "no community 'T1'" in errors and not out.exists()
    code, _, errors = report(database_url, out, "last week")
    assert code == 2 and "--from" in errors and len(errors.splitlines()) == 1

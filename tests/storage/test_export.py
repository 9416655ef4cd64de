"""`groupbot export`: everything stored about one community, and nothing about another."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from replaykit import PITCH_TEXT, cmd, join, say

GROUPBOT = str(Path(sys.executable).parent / "groupbot")


def groupbot(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [GROUPBOT, *args], capture_output=True, text=True, timeout=120, env=dict(os.environ)
    )


def recorded(tmp_path: Path, database_url: str) -> None:
    events = [
        join("olive", 0, roles=["owner"]),
        join("ben", 1),
        say("ben", PITCH_TEXT, 2),
        join("zed", 3, community="c2"),
        say("zed", "hello from the other community", 4, community="c2"),
        cmd("olive", "deny", "1", "not", "here", minute=5),
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    replayed = groupbot("replay", str(path), "--database", database_url, "--no-progress")
    assert replayed.returncode == 0, replayed.stderr


def test_the_export_holds_the_communitys_rows_only(tmp_path: Path, database_url: str) -> None:
    recorded(tmp_path, database_url)
    done = groupbot("export", "-c", "c1", "--database", database_url)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["community"] == "c1" and data["exported_at"].endswith("+00:00")
    tables = data["tables"]
    assert {m["member"] for m in tables["members"]} == {"olive", "ben"}
    assert "processed_events" not in tables
    assert all(row["community"] == "c1" for rows in tables.values() for row in rows)
    (request,) = tables["requests"]
    assert request["member"] == "ben" and request["status"] == "denied"
    kinds = [row["action"] for row in tables["audit_log"]]
    assert "etiquette_note" in kinds and "request_denied" in kinds
    note = next(row for row in tables["audit_log"] if row["action"] == "etiquette_note")
    assert isinstance(note["detail"], dict) and note["detail"]["rule"]  # JSON, not JSON text
    assert "zed" not in done.stdout and "other community" not in done.stdout


def test_to_a_file_and_the_refusals(tmp_path: Path, database_url: str) -> None:
    recorded(tmp_path, database_url)
    out = tmp_path / "c2.json"
    done = groupbot("export", "-c", "c2", "--database", database_url, "--out", str(out))
    assert done.returncode == 0 and "wrote" in done.stderr
    assert [m["member"] for m in json.loads(out.read_text())["tables"]["members"]] == ["zed"]
    missing = tmp_path / "typo.json"
    typo = groupbot("export", "-c", "c3", "--database", database_url, "--out", str(missing))
    assert (
        typo.returncode == 2
        and typo.stderr.strip() == "groupbot: the database has no community 'c3'"
    )
    assert not missing.exists() and not list(tmp_path.glob("*.part"))

"""`groupbot config ...` as owners use it from the shell: real processes, one-line refusals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

GROUPBOT = str(Path(sys.executable).parent / "groupbot")


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run groupbot as a separate process."""
    return subprocess.run(
        [GROUPBOT, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


def test_set_show_reset_history_export_import(tmp_path: Path, database_url: str) -> None:
    env = {"GROUPBOT_DATABASE_URL": database_url}
    done = _run("config", "set", "-c", "T1", "channels.intro", "#hello,", "intros", env=env)
    assert done.returncode == 0, done.stderr
    assert 'channels.intro is now ["hello", "intros"]' in done.stdout
    done = _run("config", "set", "-c", "T1", "welcome.text", "Hi {name}, welcome!", env=env)
    assert done.returncode == 0, done.stderr
    shown = _run("config", "show", "-c", "T1", "welcome.text", env=env)
    assert shown.stdout == 'welcome.text = "Hi {name}, welcome!"\n(set for this community)\n'
    summary = _run("config", "show", "-c", "T1", env=env).stdout.splitlines()
    assert '* channels.intro = ["hello", "intros"]' in summary
    assert "  shadow_mode = false" in summary
    exported = _run("config", "export", "-c", "T1", env=env)
    assert exported.stdout == (
        '[channels]\nintro = ["hello", "intros"]\n\n[welcome]\ntext = "Hi {name}, welcome!"\n'
    )
    file = tmp_path / "t1.toml"
    file.write_text(exported.stdout)
    imported = _run("config", "import", "-c", "T2", str(file), env=env)
    assert imported.returncode == 0, imported.stderr
    assert _run("config", "export", "-c", "T2", env=env).stdout == exported.stdout
    reset = _run("config", "reset", "-c", "T1", "channels.intro", env=env)
    assert reset.returncode == 0 and "back to the default" in reset.stdout
    history = _run("config", "history", "-c", "T1", env=env).stdout.splitlines()
    assert len(history) == 4 and all(" cli: " in line for line in history[1:])
    assert _run("config", "export", "-c", "T1", env=env).stdout.startswith("[welcome]\n")


def test_refusals_are_one_line_naming_the_key(tmp_path: Path, database_url: str) -> None:
    env = {"GROUPBOT_DATABASE_URL": database_url}
    cases = [
        (["set", "-c", "T1", "channels.intros", "x"], "channels.intros: unknown setting"),
        (["set", "-c", "T1", "rules.link_flood.max_links", "lots"], "rules.link_flood.max_links"),
        (["show", "-c", "T1", "welcome.txt"], "did you mean 'welcome.text'?"),
    ]
    for args, wanted in cases:
        refused = _run("config", *args, env=env)
        assert refused.returncode == 1, args
        assert refused.stderr.count("\n") == 1 and wanted in refused.stderr, refused.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('[channels]\nintro = ["a"]\n[rules.link_flood]\nmax_links = 1\n')
    refused = _run("config", "import", "-c", "T1", str(bad), env=env)
    assert refused.returncode == 1
    assert refused.stderr.startswith(f"groupbot: {bad}:4: rules.link_flood.max_links: ")
    assert refused.stderr.count("\n") == 1
    assert _run("config", "export", "-c", "T1", env=env).stdout == ""  # all or nothing
    assert _run("config", "history", "-c", "T1", env=env).stdout.startswith("No settings")

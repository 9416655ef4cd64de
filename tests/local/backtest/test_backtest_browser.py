"""The report in a real headless Chromium: it loads cleanly, charts have a size, numbers match."""

from __future__ import annotations

import io
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest
from exportkit import write_slack_zip

from groupbot.local.backtest.command import backtest_command, replay_export

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable(why: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"the browser test needs {why} (make test installs it)")
    pytest.skip(f"no {why}")


@pytest.fixture
def browser() -> Any:
    if shutil.which(CHROMIUM) is None:
        _unavailable(f"Debian's chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def made(tmp_path: Path) -> tuple[Path, dict[str, Any], list[dict[str, Any]]]:
    """The report, its --json figures and the replay's actions (made before the browser starts:
    Playwright's sync API runs an event loop of its own)."""
    export = write_slack_zip(tmp_path / "export.zip")
    report = tmp_path / "report.html"
    figures_out = io.StringIO()
    backtest_command(
        export, out=report, as_json=True, progress=False, stdout=figures_out, errors=io.StringIO()
    )
    out = io.BytesIO()
    replay_export(export, out=out, errors=io.StringIO(), progress=False)
    actions = [orjson.loads(line) for line in out.getvalue().splitlines()]
    return report, orjson.loads(figures_out.getvalue()), actions


def test_report_in_a_browser(
    made: tuple[Path, dict[str, Any], list[dict[str, Any]]],
    browser: Any,
    request: pytest.FixtureRequest,
) -> None:
    report, figures, actions = made
    kinds = Counter(a["action"] for a in actions)

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "request",
        lambda r: None if r.url.startswith(("file:", "data:")) else problems.append(r.url),
    )
    page.goto(report.as_uri(), wait_until="load")
    assert problems == []

    charts = page.locator("figure.chart svg")
    assert charts.count() == 4
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 50

    def shown(key: str) -> str:
        return str(page.locator(f'[data-figure="{key}"]').inner_text())

    assert shown("joined") == str(kinds["welcome"]) == "2"
    introduced = {a["member"] for a in actions if a["action"] == "introduced"}
    assert shown("introduced") == str(len(introduced))
    assert shown("notes") == str(kinds["etiquette_note"])
    held = {(a["channel"], a["message"]) for a in actions if a["action"] == "hold"}
    assert shown("held") == str(len(held))
    assert shown("promotional_share") == f"{figures['promotional_share'] * 100:.1f}%"
    assert shown("messages_read") == f"{figures['messages_read']:,}"
    assert page.locator("#notes-table tbody tr").count() == kinds["etiquette_note"]
    assert "groupbot backtest" in page.locator("pre[data-command]").inner_text()

    artefacts = Path(request.config.rootpath) / "test-artifacts"
    artefacts.mkdir(exist_ok=True)
    shot = artefacts / "backtest-report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

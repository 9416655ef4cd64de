"""The engine drive of a private database: the rows it leaves are those of an ordinary bot."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from exportkit import write_slack_folder
from sqlalchemy import select

from groupbot.core.rulebook import load_rulebook
from groupbot.local.backtest.drive import drive
from groupbot.local.history.records import Problems
from groupbot.local.history.source import open_history
from groupbot.storage.database import create_engine
from groupbot.storage.models import Member


async def members_after(export: Path, url: str, *, prune: bool) -> list[Any]:
    """Every member row a drive over the export leaves in the database at `url`."""
    history = open_history(export, "auto", Problems(io.StringIO()))
    failed = await drive(
        history.steps(),
        load_rulebook(None),
        sink=lambda _: None,
        errors=io.StringIO(),
        batch=2,  # several commits, members changed in more than one
        database=url,
        prune=prune,
    )
    history.close()
    assert failed == 0
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return list(await conn.execute(select(Member).order_by(Member.member)))
    finally:
        await engine.dispose()


async def test_members_held_between_commits_are_all_written_at_the_end(tmp_path: Path) -> None:
    export = write_slack_folder(tmp_path / "export")
    held = await members_after(export, f"sqlite:///{tmp_path / 'held.db'}", prune=True)
    plain = await members_after(export, f"sqlite:///{tmp_path / 'plain.db'}", prune=False)
    assert len(held) >= 4
    assert held == plain

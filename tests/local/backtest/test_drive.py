"""The engine drive of a private database: its rows and actions are those of an ordinary bot."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, cast

import orjson
import pytest
from exportkit import write_slack_folder
from replaykit import PITCH_TEXT as PITCH
from replaykit import say
from sqlalchemy import select

from groupbot.core.actions import Action, EtiquetteNote
from groupbot.core.engine import Engine, Verdict
from groupbot.core.rulebook import Rulebook, load_rulebook
from groupbot.local.backtest.drive import drive
from groupbot.local.history.records import Problems, Record
from groupbot.local.history.source import open_history
from groupbot.local.history.upstream import read_events
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


async def actions_of(events: list[dict[str, Any]], *, prune: bool, batch: int) -> list[Action]:
    """Every action a drive over these events takes, on a private database or an ordinary one."""
    lines = [orjson.dumps(event) for event in events]
    steps = [(cast(Record, None), event) for _, event in read_events(lines)]
    taken: list[Action] = []
    errors = io.StringIO()
    await drive(steps, Rulebook(), sink=taken.append, errors=errors, batch=batch, prune=prune)
    assert errors.getvalue().count("not processed") == 1
    return taken


async def test_a_private_database_survives_a_failed_event_as_an_ordinary_one_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    evaluate = Engine.evaluate

    def failing(self: Engine, state: Any, **kw: Any) -> Verdict:
        if kw["text"] == "BOOM":
            raise RuntimeError("engine fault")
        return evaluate(self, state, **kw)

    monkeypatch.setattr(Engine, "evaluate", failing)
    chat = [say("old", f"chatting, part {i}", 1 + i, id=f"c{i}") for i in range(10)]
    events = [
        *chat,  # committed in the first batches: the rows a private database holds
        say("ann", "BOOM", 20),  # its batch is rolled back and the members read again
        chat[3],  # a repeat of a committed event: known still, though no id was stored
        say("old", PITCH, 21, id="p1"),
        say("old", PITCH + " Now!", 22, id="p2"),
    ]
    private = await actions_of(events, prune=True, batch=4)
    assert private == await actions_of(events, prune=False, batch=4)
    notes = [a for a in private if isinstance(a, EtiquetteNote)]
    assert [note.rule for note in notes] == ["self_promo_ratio"]  # the window was read back

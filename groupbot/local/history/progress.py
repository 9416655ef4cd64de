"""A progress bar on standard error (messages read, members seen) when it is a terminal."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO

from groupbot.local.history.merge import Step

__all__ = ["with_progress"]

EVERY = 2_000  # records between redraws: a redraw costs far more than a record


def with_progress(steps: Iterable[Step], stream: IO[str], label: str) -> Iterator[Step]:
    """The same steps; on a terminal, a live count of messages read and members seen."""
    if not stream.isatty():
        yield from steps
        return
    # Imported only for a terminal: loading rich costs a piped run a noticeable start-up.
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(file=stream)
    columns = (
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        TextColumn("{task.completed:,} messages read"),
        TextColumn("{task.fields[members]:,} members seen"),
        TimeElapsedColumn(),
    )
    members: set[str] = set()
    read = 0
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(label, total=None, members=0)
        for step in steps:
            read += 1
            members.add(step[0].member)
            if read % EVERY == 0:
                bar.update(task, completed=read, members=len(members))
            yield step
        bar.update(task, completed=read, members=len(members))

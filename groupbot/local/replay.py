"""Run a replay: events in, actions out as JSON Lines, progress on standard error."""

from __future__ import annotations

import sys
import time
from typing import IO, BinaryIO

from groupbot.adapters.memory import MemoryPlatform
from groupbot.core.rulebook import Rulebook
from groupbot.local.action_lines import ActionLines
from groupbot.local.replay_events import read_events
from groupbot.service.runtime import MEMORY_URL, open_bot
from groupbot.storage.outbox import OutboxWorker

__all__ = ["run_replay"]

PROGRESS_EVERY = 10_000


async def run_replay(
    infile: BinaryIO,
    outfile: BinaryIO,
    rulebook: Rulebook,
    database: str | None = None,
    batch: int = 500,
    progress: bool = False,
    errors: IO[str] = sys.stderr,
) -> int:
    """Replay every event; return 1 if any line was malformed, else 0."""
    sink = ActionLines(outfile)
    bad = 0
    count = 0
    started = time.perf_counter()
    owed = False

    def committed() -> None:
        nonlocal owed
        owed = True

    async with open_bot(database or MEMORY_URL, rulebook, sink=sink, batch_size=batch) as bot:
        # The outbox is emptied into a platform that only counts, as a live bot's would be.
        worker = OutboxWorker(bot.db, MemoryPlatform(keep=False), settle_each=False)
        bot.transactions.on_commit = committed
        for number, event in read_events(infile, errors):
            if event is None:
                bad += 1
                continue
            try:
                await bot.handle(event)
            except Exception as exc:  # one event the engine cannot take must not sink the rest
                errors.write(f"line {number}: not processed: {type(exc).__name__}: {exc}\n")
                bad += 1
                continue
            sink.raise_if_gone()  # nobody reads the actions any more: stop (the CLI exits quietly)
            count += 1
            if owed:
                owed = False
                await worker.drain(bot.clock)
            if progress and count % PROGRESS_EVERY == 0:
                rate = count / max(time.perf_counter() - started, 1e-9)
                errors.write(f"replayed {count:,} events ({rate:,.0f}/s)\n")
                errors.flush()
        try:
            await bot.finish()
        except Exception as exc:
            errors.write(f"end of input: not processed: {type(exc).__name__}: {exc}\n")
            bad += 1
        sink.raise_if_gone()
        await worker.drain(bot.clock)
    outfile.flush()
    if progress and count >= PROGRESS_EVERY:
        errors.write(f"replayed {count:,} events, {bad} malformed line(s) skipped\n")
    return 1 if bad else 0

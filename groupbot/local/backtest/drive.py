"""Feed a stream of steps through the real engine on a fresh in-memory database."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import IO, Any

from groupbot.core.actions import Action
from groupbot.core.detect import Analysis
from groupbot.core.engine import AnalysisKey, Verdict
from groupbot.core.rulebook import Rulebook
from groupbot.local.gc_tuning import REPLAY_YOUNG_THRESHOLD, rare_collections
from groupbot.local.history.merge import Step
from groupbot.local.history.upstream import (
    MEMORY_URL,
    Bot,
    MemoryPlatform,
    OutboxWorker,
    hold_private_rows,
    open_bot,
    prune_posts,
)

__all__ = ["drive"]

PRUNE_EVERY = 20_000  # events between sweeps of post rows the rolling windows no longer need
StepHook = Callable[[Step], None]
VerdictHook = Callable[[Verdict, str, bool], None]


class _PrivateBot(Bot):
    """A bot whose private database is thrown away after the replay: no retention sweeps.

    They blank old request text and audit evidence that an export's replay never reads
    again; `prune_posts` forgets the rows the windows no longer need. Members' and posts'
    rows are written when something reads them and at the end, not at each commit: the bot
    reads its own cache of every member (see HeldRows). Event ids are not stored: a history
    comes in time order, so a repeated event (its id, its time) arrives while the bot's
    cache of recent ids still holds it, and no other process will ask.
    """

    stores_event_ids = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hold_private_rows(self)

    async def _retention(self, now: datetime) -> None:
        return None  # and the sweep's timer is not set again

    async def close(self) -> None:
        """Commit what is buffered, every row held so far included."""
        self.transactions.release()
        await super().close()


def _watch_verdicts(bot: Bot, hook: VerdictHook) -> None:
    """Report every verdict the engine reaches (the bot keeps no per-post figure of its own)."""
    engine = bot.engine
    evaluate = engine.evaluate
    promotion = engine.channel_facts

    def observed(*args: object, **kwargs: object) -> Verdict:
        verdict = evaluate(*args, **kwargs)  # type: ignore[arg-type]
        channel = str(kwargs["channel"])
        hook(verdict, channel, promotion(channel)[1] or bool(kwargs.get("edited")))
        return verdict

    engine.evaluate = observed  # type: ignore[method-assign]


async def drive(
    steps: Iterable[Step],
    rulebook: Rulebook,
    *,
    sink: Callable[[Action], None],
    errors: IO[str],
    after_event: Callable[[], None] | None = None,
    on_step: StepHook | None = None,
    on_verdict: VerdictHook | None = None,
    community_names: dict[str, str] | None = None,
    batch: int = 500,
    database: str | None = None,
    prune: bool = False,
    ahead: Mapping[AnalysisKey, Analysis] | None = None,
) -> int:
    """Handle every step's event in order; the number of events the engine could not take.

    With `prune` (a fresh in-memory database that no command will ask for statistics), post
    rows older than the rolling windows are dropped as the history goes by, instead of the
    daily retention sweeps: they blank old text that an export's replay never reads again.
    `ahead`: analyses made by a second process (ahead.py), for the rulebook's own engine.
    `after_event` runs after each event the engine took (a replay stops there when its reader
    is gone).
    """
    failed = 0
    owed = False

    def committed() -> None:
        nonlocal owed
        owed = True

    kind = _PrivateBot if prune else Bot
    url = database or MEMORY_URL
    with rare_collections(REPLAY_YOUNG_THRESHOLD):
        async with open_bot(url, rulebook, sink=sink, batch_size=batch, kind=kind) as bot:
            bot.community_names.update(community_names or {})
            bot.engine.ahead = ahead
            if on_verdict is not None:
                _watch_verdicts(bot, on_verdict)
            # Delivered actions leave the outbox as a live bot's would, so it does not grow.
            worker = OutboxWorker(bot.db, MemoryPlatform(keep=False), settle_each=False)
            bot.transactions.on_commit = committed
            keep = timedelta(
                days=max(
                    rulebook.rules.self_promo_ratio.window_days,
                    rulebook.watch.first_days,
                    rulebook.notes.escalate_window_days,
                )
                + 1
            )
            handled = 0
            for step in steps:
                if on_step is not None:
                    on_step(step)
                event = step[1]
                if event is None:
                    continue
                try:
                    await bot.handle(event)
                except Exception as exc:  # one event the engine cannot take must not sink the rest
                    errors.write(f"{event.event_id}: not processed: {type(exc).__name__}: {exc}\n")
                    failed += 1
                    continue
                if after_event is not None:
                    after_event()
                if owed:
                    owed = False
                    await worker.drain(bot.clock)
                handled += 1
                if prune and handled % PRUNE_EVERY == 0 and bot.clock is not None:
                    await prune_posts(bot, bot.clock - keep)
            try:
                await bot.finish()
            except Exception as exc:
                errors.write(f"end of history: not processed: {type(exc).__name__}: {exc}\n")
                failed += 1
            await worker.drain(bot.clock)
    return failed

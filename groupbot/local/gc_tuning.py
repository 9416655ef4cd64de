"""Garbage collection for one long run (a backtest, a large classify): what exists is frozen."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["REPLAY_YOUNG_THRESHOLD", "YOUNG_THRESHOLD", "rare_collections"]

# Objects allocated (net) between young collections; Python's default is 700. A replay makes
# few reference cycles but keeps a million long-lived objects (members, caches, the model):
# at the default, the collector's passes over them were about a quarter of a backtest's time.
# classify's verdict cache is the same kind of long-lived heap.
YOUNG_THRESHOLD = 50_000
# A backtest's transaction keeps its thousands of events' objects alive until it commits: a
# young generation smaller than that scans them again and again (2.3 s of a 1,000,000-message
# run at 50,000, 0.4 s at this).
REPLAY_YOUNG_THRESHOLD = 200_000


@contextmanager
def rare_collections(young: int = YOUNG_THRESHOLD) -> Iterator[None]:
    """Freeze the objects alive now (modules, the model) and collect young ones less often."""
    threshold = gc.get_threshold()
    gc.freeze()  # never scanned again: the start-up's objects are not garbage
    gc.set_threshold(young, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()

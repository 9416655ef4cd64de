"""`classify` on every CPU: blocks of input lines to worker processes, verdicts back in order."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from groupbot.local.classify import Seen, classify_block

if TYPE_CHECKING:  # concurrent.futures and multiprocessing: imported for a large input only
    from concurrent.futures import Future

    from groupbot.core.detect import Detector, DetectorConfig

__all__ = ["Job", "WorkerLost", "classify_in_pool", "usable_cpus"]

AHEAD = 2  # blocks waiting per worker: enough to keep it busy, few enough to keep memory flat


class WorkerLost(RuntimeError):
    """A worker process ended before its block was done (killed, or out of memory)."""


@dataclass(frozen=True)
class Job:
    """What every worker needs to classify as the parent process would."""

    config: DetectorConfig | None
    intro_channels: frozenset[str]
    cache: bool


_worker: tuple[Detector, frozenset[str], Seen | None] | None = None


def usable_cpus() -> int:
    """The CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _start(job: Job) -> None:
    """Set up one worker: its own detector and its own cache of repeated texts."""
    import signal

    from groupbot.core.detect import Detector

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    global _worker
    _worker = (Detector(job.config, cache=False), job.intro_channels, {} if job.cache else None)


def _classify(first: int, block: bytes) -> tuple[int, bytes]:
    """One block in a worker."""
    assert _worker is not None, "worker not started"
    detector, intro_channels, seen = _worker
    return classify_block(block, first, detector, intro_channels, seen)


def classify_in_pool(
    blocks: Iterable[tuple[int, bytes]], outfile: BinaryIO, job: Job, workers: int
) -> int:
    """Classify every block on `workers` processes, writing each block's verdicts in turn."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # Forked workers start at once with the parent's loaded model; elsewhere they import it.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    status = 0
    pending: deque[Future[tuple[int, bytes]]] = deque()
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start, initargs=(job,)
    ) as pool:
        try:
            for first, block in blocks:
                pending.append(pool.submit(_classify, first, block))
                if len(pending) > AHEAD * workers:
                    done, out = pending.popleft().result()
                    status |= done
                    outfile.write(out)
            while pending:
                done, out = pending.popleft().result()
                status |= done
                outfile.write(out)
        except BrokenProcessPool as exc:
            raise WorkerLost(
                "a classify worker process stopped before its lines were done "
                "(killed, or out of memory?); the output is incomplete; --jobs 1 runs without"
            ) from exc
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return status

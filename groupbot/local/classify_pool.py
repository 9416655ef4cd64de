"""`classify` on every CPU: blocks of input lines to worker processes, verdicts back in order."""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from groupbot.local.classify import Seen, WorkerLost, classify_block

if TYPE_CHECKING:  # concurrent.futures and multiprocessing: imported for a large input only
    from concurrent.futures import Future

    from groupbot.core.detect import Detector, DetectorConfig

__all__ = ["Job", "classify_in_pool", "usable_cpus", "worker_count"]

AHEAD = 2  # blocks waiting per worker: enough to keep it busy, few enough to keep memory flat


@dataclass(frozen=True)
class Job:
    """What every worker needs to classify as the parent process would."""

    config: DetectorConfig | None
    intro_channels: frozenset[str]
    cache: bool


_worker: tuple[Detector, frozenset[str], Seen | None] | None = None


WINDOWS_MOST = 61  # ProcessPoolExecutor's limit there


def usable_cpus() -> int:
    """The CPUs this process may run on: its affinity, within a container's CPU quota."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    quota = _cgroup_quota()
    return max(1, min(cpus or 1, quota) if quota is not None else cpus or 1)


def _cgroup_quota() -> int | None:
    """The whole CPUs a container's CPU quota allows, rounded up; None when it sets none."""
    v2 = _read("/sys/fs/cgroup/cpu.max")  # "max 100000" (no quota) or "150000 100000"
    if v2 is not None:
        quota, _, period = v2.strip().partition(" ")
    else:  # cgroup v1
        quota = (_read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us") or "-1").strip()
        period = (_read("/sys/fs/cgroup/cpu/cpu.cfs_period_us") or "0").strip()
    try:
        allowed, per = int(quota), int(period)
    except ValueError:
        return None
    return -(-allowed // per) if allowed > 0 and per > 0 else None


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="ascii") as fh:
            return fh.read()
    except (OSError, ValueError):
        return None


def worker_count(jobs: int) -> int:
    """Workers for `jobs` (0: one per usable CPU), never more than the machine's CPUs."""
    most = os.cpu_count() or 1
    if sys.platform == "win32":
        most = min(most, WINDOWS_MOST)
    return max(1, min(jobs or usable_cpus(), most))


def _start(job: Job) -> None:
    """Set up one worker: its own detector and its own cache of repeated texts."""
    import signal

    from groupbot.core.detect import Detector

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _exit_with_parent()
    global _worker
    _worker = (Detector(job.config, cache=False), job.intro_channels, {} if job.cache else None)


def _exit_with_parent() -> None:
    """End this worker when the parent ends, however it ends (a SIGKILL included).

    Otherwise a killed parent leaves its workers waiting for work forever, holding its
    standard output open (`groupbot classify | sort` would never end).
    """
    import multiprocessing
    import threading
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    sentinel = parent.sentinel if parent is not None else None
    if sentinel is None:
        return

    def watch() -> None:
        wait([sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="groupbot-parent-watch", daemon=True).start()


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

    # Forked workers start at once with the parent's loaded model; elsewhere (macOS, where
    # forking is unsafe, and Windows) they start afresh and load it themselves.
    linux = sys.platform.startswith("linux")
    context = multiprocessing.get_context("fork" if linux else None)
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

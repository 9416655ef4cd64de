"""`classify` on worker processes: the same output as one process, in order, and clear failures."""

from __future__ import annotations

import contextlib
import io
import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import orjson
import pytest

from groupbot.local import classify_pool
from groupbot.local.classify import BLOCK, run_classify

TEXTS = [
    "Hi all, I'm {n}, a baker from York. Glad to be here!",
    "Subscribe to my channel for daily tips youtube.com/@tips{n}",
    "has anyone seen the build fail on step {n}? it worked yesterday",
    "Use my code SAVE{n} for 20% off at shop.example.com today only!",
    "thanks, that fixed it",  # repeated: the workers' caches of repeated texts
    "Пишите в личку, заработок от {n} рублей в день без вложений",
]


def big_input() -> bytes:
    """Several blocks of lines: ids, no ids, context, bad lines, no newline at the end."""
    lines: list[bytes] = []
    n = 0
    while sum(map(len, lines)) < 3 * BLOCK:
        n += 1
        record: dict[str, object] = {"text": TEXTS[n % len(TEXTS)].format(n=n)}
        if n % 3:
            record["id"] = f"m{n}"
        if n % 7 == 0:
            record["reply_to"] = f"m{n - 1}"
        if n % 11 == 0:
            record["channel"] = "introductions"
        lines.append(orjson.dumps(record) + b"\n")
        if n % 500 == 0:
            lines.append(b"not json\n")
    return b"".join(lines) + b'{"text": "the last line, without its newline"}'


def one_process(raw: bytes) -> tuple[int, bytes]:
    out = io.BytesIO()
    return run_classify(io.BytesIO(raw), out, jobs=1), out.getvalue()


def run_cli(tmp_path: Path, raw: bytes, *options: str) -> subprocess.CompletedProcess[bytes]:
    path = tmp_path / "in.jsonl"
    path.write_bytes(raw)
    cmd = [sys.executable, "-m", "groupbot", "classify", *options, str(path)]
    return subprocess.run(cmd, capture_output=True, check=False)


@pytest.mark.parametrize("options", [(), ("--jobs", "2"), ("--jobs", "3")])
def test_workers_write_what_one_process_writes(tmp_path: Path, options: tuple[str, ...]) -> None:
    raw = big_input()
    status, expected = one_process(raw)
    done = run_cli(tmp_path, raw, *options)
    assert done.stderr == b""
    assert (done.returncode, done.stdout) == (status, expected) and status == 1
    out = [orjson.loads(x) for x in done.stdout.splitlines()]
    assert len(out) == raw.count(b"\n") + 1
    # A line without an id answers with its number, counted across the blocks.
    for number, (line, verdict) in enumerate(zip(raw.splitlines(), out, strict=True), 1):
        if line == b"not json":
            assert verdict == {"id": number, "error": verdict["error"]}
        elif b'"id"' not in line:
            assert verdict["id"] == number


def test_an_input_of_one_block_starts_no_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> int:
        raise AssertionError("a worker was started")

    monkeypatch.setattr(classify_pool, "classify_in_pool", refuse)
    out = io.BytesIO()
    raw = b'{"text": "Subscribe to my channel!"}\n' * 100
    assert run_classify(io.BytesIO(raw), out, jobs=2) == 0
    assert len(out.getvalue().splitlines()) == 100


LOSE_A_WORKER = """
import os, sys
from groupbot.local import classify_pool
keep = classify_pool._classify
def dies(first, block):
    if first > 1:
        os._exit(9)
    return keep(first, block)
classify_pool._classify = dies
sys.argv = ["groupbot", "classify", sys.argv[1]]
from groupbot.entry import main
main()
"""


TWO_CPUS = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="workers need two CPUs")


@TWO_CPUS
def test_a_lost_worker_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(big_input())
    done = subprocess.run(
        [sys.executable, "-c", LOSE_A_WORKER, str(path)], capture_output=True, check=False
    )
    assert done.returncode == 2
    message = done.stderr.decode()
    assert message.startswith("groupbot: a classify worker process stopped")
    assert message.count("\n") == 1 and "Traceback" not in message


def test_a_negative_job_count_is_refused(tmp_path: Path) -> None:
    done = run_cli(tmp_path, b'{"text": "hi"}\n', "--jobs", "-1")
    assert done.returncode == 2 and done.stdout == b""
    assert b"--jobs" in done.stderr


def children(pid: int) -> list[int]:
    """The processes `pid` started (Linux)."""
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
        return [int(p) for p in fh.read().split()]


def write_open(pipe: IO[bytes], raw: bytes) -> None:
    """Write whole lines to a pipe and leave it open (until the reader is gone)."""
    try:
        pipe.write(raw[: raw.rindex(b"\n") + 1])
        pipe.flush()
    except BrokenPipeError:
        pass


@TWO_CPUS
@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="waits on Linux pidfds")
def test_workers_end_with_a_killed_parent() -> None:
    cmd = [sys.executable, "-m", "groupbot", "classify", "--jobs", "2"]
    parent = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert parent.stdin is not None and parent.stdout is not None
    workers: list[int] = []
    try:
        raw = big_input()
        while len(raw) < 10 * BLOCK:
            raw += raw
        feed = threading.Thread(target=write_open, args=(parent.stdin, raw), daemon=True)
        feed.start()
        assert parent.stdout.read(1)  # a block's verdicts: the workers are at work
        workers += children(parent.pid)
        assert len(workers) == 2
        watches = [os.pidfd_open(w) for w in workers]
        parent.send_signal(signal.SIGKILL)
        for watch in watches:  # readable once the worker has ended
            readable, _, _ = select.select([watch], [], [], 30)
            assert readable == [watch], "a worker outlived its parent"
            os.close(watch)
    finally:
        parent.kill()
        parent.wait()
        for worker in workers:  # when the test failed: they hold the pipes open
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker, signal.SIGKILL)
        parent.stdout.close()
        with contextlib.suppress(BrokenPipeError):
            parent.stdin.close()


@pytest.mark.parametrize(
    ("files", "cpus"),
    [
        ({"/sys/fs/cgroup/cpu.max": "max 100000\n"}, None),
        ({"/sys/fs/cgroup/cpu.max": "150000 100000\n"}, 2),
        ({"/sys/fs/cgroup/cpu.max": "50000 100000\n"}, 1),
        (
            {
                "/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "100000\n",
                "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n",
            },
            1,
        ),
        ({"/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "-1\n"}, None),
        ({"/sys/fs/cgroup/cpu.max": "garbage"}, None),
        ({}, None),
    ],
)
def test_a_containers_cpu_quota_bounds_the_workers(
    monkeypatch: pytest.MonkeyPatch, files: dict[str, str], cpus: int | None
) -> None:
    monkeypatch.setattr(classify_pool, "_read", files.get)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    assert classify_pool.usable_cpus() == (cpus or 64)
    assert classify_pool.worker_count(0) == (cpus or 64)
    assert classify_pool.worker_count(5000) == 64  # never more than the machine's CPUs
    assert classify_pool.worker_count(3) == 3

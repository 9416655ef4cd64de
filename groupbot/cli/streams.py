"""Standard output's reader going away (`groupbot ... | head`) ends a run quietly."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import NoReturn

__all__ = ["BROKEN_PIPE_STATUS", "quiet_when_reader_gone", "reader_gone"]

# What a shell reports for a program stopped by SIGPIPE; distinct from classify's own statuses.
BROKEN_PIPE_STATUS = 141


@contextlib.contextmanager
def quiet_when_reader_gone() -> Iterator[None]:
    """Inside a CLI command: a broken pipe ends the run quietly (before click makes it 1)."""
    try:
        yield
    except BrokenPipeError:
        reader_gone()


def reader_gone() -> NoReturn:
    """Stop quietly because the reader of our output went away (`groupbot ... | head`)."""
    # Point stdout at /dev/null so the interpreter's own final flush does not fail again.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    raise SystemExit(BROKEN_PIPE_STATUS)

"""The console-script entry point: `classify` starts light, everything else goes to the CLI."""

from __future__ import annotations

import sys

__all__ = ["main"]


def _classify_fast(argv: list[str]) -> int | None:
    """Run `classify [FILE]` without importing the full CLI; None if the arguments need it."""
    if len(argv) > 1 or any(a.startswith("-") and a != "-" for a in argv):
        return None  # options (--rules, --help) are the full CLI's job
    from groupbot.local.classify import WorkerLost, run_classify

    path = argv[0] if argv else "-"
    try:
        stream = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        sys.stderr.write(f"groupbot: cannot read {path}: {exc.strerror}\n")
        return 2
    with stream:
        try:
            return run_classify(stream, sys.stdout.buffer, jobs=0)
        except WorkerLost as exc:
            sys.stdout.flush()
            sys.stderr.write(f"groupbot: {exc}\n")
            return 2


def main() -> None:
    """Dispatch `groupbot ...`; a reader that stops early (`| head`) ends the run quietly."""
    try:
        _dispatch(sys.argv[1:])
    except BrokenPipeError:
        # Imported only here: the cli package pulls in typer and the rulebook, which a plain
        # `classify` run never needs and would pay for at every start.
        from groupbot.cli.streams import reader_gone

        reader_gone()


def _dispatch(argv: list[str]) -> None:
    """Run one command line."""
    if argv[:1] == ["classify"]:
        code = _classify_fast(argv[1:])
        if code is not None:
            sys.stdout.flush()
            raise SystemExit(code)
    from groupbot.cli import main as cli_main

    cli_main()

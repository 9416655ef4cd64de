"""Tests for bounded rulebook input: size read without trusting stat, nesting and key depth."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from groupbot.core.rulebook import (
    MAX_RULEBOOK_BYTES,
    Rulebook,
    RulebookError,
    load_rulebook,
    parse_rulebook,
    rulebook_to_toml,
)
from groupbot.core.rulebook.depth import MAX_DEPTH

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "rulebook.toml"


def _refusal(text: str) -> RulebookError:
    """Parse text expecting a refusal."""
    with pytest.raises(RulebookError) as info:
        parse_rulebook(text, "rb.toml")
    return info.value


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_device_is_refused_at_the_size_limit() -> None:
    with pytest.raises(RulebookError, match="too large"):
        load_rulebook("/dev/zero")


def _fifo_with(tmp_path: Path, payload: bytes) -> tuple[Path, threading.Thread]:
    """A FIFO fed payload by a writer thread that stops when the reader goes away."""
    fifo = tmp_path / "rulebook.fifo"
    os.mkfifo(fifo)

    def write() -> None:
        try:
            with fifo.open("wb") as out:
                out.write(payload)
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    return fifo, writer


def test_a_fifo_beyond_the_limit_is_refused(tmp_path: Path) -> None:
    fifo, writer = _fifo_with(tmp_path, b"# " + b"x" * (MAX_RULEBOOK_BYTES + 10) + b"\n")
    with pytest.raises(RulebookError, match="too large"):
        load_rulebook(fifo)
    writer.join(timeout=10)
    assert not writer.is_alive()


def test_a_fifo_within_the_limit_is_read(tmp_path: Path) -> None:
    fifo, writer = _fifo_with(tmp_path, b"shadow_mode = true\n")
    assert load_rulebook(fifo).shadow_mode is True
    writer.join(timeout=10)


def test_a_file_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    path.write_bytes(b"#" * (MAX_RULEBOOK_BYTES - 1) + b"\n")
    assert load_rulebook(path) == Rulebook()
    path.write_bytes(b"#" * MAX_RULEBOOK_BYTES + b"\n")
    with pytest.raises(RulebookError, match="too large"):
        load_rulebook(path)


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("a = " + "[" * 10_000 + "]" * 10_000 + "\n", 1, "nested more than"),
        ("x = 1\na = " + "{b = " * 5_000 + "1" + "}" * 5_000 + "\n", 2, "nested more than"),
        ("x = 1\n\n" + ".".join(["a"] * 10_000) + " = 1\n", 3, "more than 32 parts"),
        ("[" + ".".join(["a"] * 10_000) + "]\n", 1, "more than 32 parts"),
        ("a = {" + ", ".join(["x = 1"] * 3) + ", " + ".".join("k" * 40) + " = 1}\n", 1, "parts"),
    ],
)
def test_deep_documents_are_one_line_errors_naming_the_line(
    text: str, line: int, problem: str
) -> None:
    error = _refusal(text)
    assert error.line == line
    assert problem in str(error)
    assert "\n" not in str(error)
    assert str(error).startswith(f"rb.toml:{line}: ")


def test_depth_at_the_limit_is_judged_by_the_schema_not_refused() -> None:
    error = _refusal("a = " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n")
    assert "unknown setting" in str(error)
    error = _refusal(".".join(["a"] * MAX_DEPTH) + " = 1\n")
    assert "unknown setting" in str(error)


def test_brackets_and_dots_inside_strings_and_comments_do_not_count() -> None:
    deep = "[" * 40 + "." * 40 + "]" * 3
    text = (
        f"# {deep}\n"
        "[community]\n"
        f'name = "{deep}{"{" * 40}"\n'
        f'norms = [\'{deep}\', """\n{deep}\n\\""" """]\n'
        "[welcome]\n"
        f'text = """Hi {{name}} {deep}\n{deep} = 1\n"""\n'
        f"batch_text = '''{{names}} {deep}\n'''\n"
    )
    rulebook = parse_rulebook(text, "rb.toml")
    assert rulebook.community.name == deep + "{" * 40
    assert rulebook.community.norms[1] == f'{deep}\n""" '


def test_shipped_and_written_rulebooks_are_within_bounds() -> None:
    assert parse_rulebook(EXAMPLE.read_text(encoding="utf-8"), str(EXAMPLE))
    assert parse_rulebook(rulebook_to_toml(Rulebook())) == Rulebook()

"""`groupbot classify`: JSON Lines of messages in, one verdict per line out (docs/contracts.md)."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO, TypeAlias

import orjson

from groupbot.local import jsonin

if TYPE_CHECKING:  # the detectors are imported when the first line needs them
    from groupbot.core.detect import Analysis, Conversation, Detector, DetectorConfig, Signal

__all__ = [
    "INTRO_CHANNELS",
    "Seen",
    "WorkerLost",
    "blocks",
    "classify_block",
    "classify_lines",
    "conversation_of",
    "run_classify",
]

INTRO_CHANNELS = frozenset({"introductions", "intros", "introduce-yourself", "say-hello"})
BLOCK = 1 << 17  # bytes of input read, classified and written at once
CACHE_SIZE = 65536  # verdicts of repeated texts kept ("thanks!", cross-posts, copy-paste spam)


class WorkerLost(RuntimeError):
    """A worker process ended before its block was done (killed, or out of memory)."""


# Each reason's JSON object, made once per Signal object: the detectors share one Signal between
# the messages that have it, so most verdicts reuse these. Keyed by identity (an equal Signal
# may hold 2 where this one holds 2.0); the entry keeps its Signal alive, so its id stays its own.
_REASON_OBJECTS: dict[int, tuple[Signal, dict[str, Any]]] = {}
_REASON_OBJECTS_MAX = 1 << 14


def _reasons(signals: tuple[Signal, ...]) -> list[dict[str, Any]]:
    if not signals:
        return []
    objects = _REASON_OBJECTS
    out = []
    for s in signals:
        entry = objects.get(id(s))
        if entry is None:
            if len(objects) >= _REASON_OBJECTS_MAX:
                objects.clear()
            obj = {
                "signal": s.signal,
                "evidence": s.evidence,
                "detail": s.detail,
                "weight": s.weight,
            }
            entry = objects[id(s)] = (s, obj)
        out.append(entry[1])
    return out


def verdict(ident: object, analysis: Analysis) -> dict[str, Any]:
    """The contract's verdict object for one analysed line."""
    return {
        "id": ident,
        "promotional": analysis.promotional,
        "introduction": analysis.introduction,
        "score": analysis.score,
        "kind": analysis.kind,
        "reasons": _reasons(analysis.reasons),
        "intro_score": analysis.intro_score,
        "intro_reasons": _reasons(analysis.intro_reasons),
        "language": analysis.language,
    }


def conversation_of(obj: dict[str, Any], ident: object) -> Conversation:
    """Where a line sits in the conversation, from its optional `reply_to`, `thread`, `mentions`.

    A thread id equal to the line's own id marks the thread's first message, which is not "in"
    the thread; values of the wrong type are ignored, as if absent.
    """
    from groupbot.core.detect import NO_CONVERSATION, Conversation

    reply_to = obj.get("reply_to")
    thread = obj.get("thread")
    mentions = obj.get("mentions")
    reply = isinstance(reply_to, (str, int)) and not isinstance(reply_to, bool)
    in_thread = isinstance(thread, (str, int)) and not isinstance(thread, bool) and thread != ident
    count = len(mentions) if isinstance(mentions, list) else 0
    if not (reply or in_thread or count):
        return NO_CONVERSATION
    return Conversation(reply=reply, thread=in_thread, mentions=count)


def _error(number: int, message: str) -> bytes:
    return orjson.dumps({"id": number, "error": message})


# Analyses of texts seen before, by text, intro channel and (when there is one) conversation.
Seen: TypeAlias = "dict[tuple[str, bool] | tuple[str, bool, Conversation], Analysis]"


def classify_lines(
    infile: Iterable[bytes],
    detector: Detector,
    intro_channels: frozenset[str],
    seen: Seen | None,
    first: int = 1,
) -> Iterator[tuple[bool, bytes]]:
    """(ok, output line) for every input line, in order; `first` is the first line's number.

    `seen` keeps the analyses of repeated texts between calls; None analyses every line afresh.
    """
    from groupbot.core.detect import NO_CONVERSATION

    for number, line in enumerate(infile, first):
        try:
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError:
                obj = jsonin.loads(line)  # a byte-order mark, a lone surrogate, or an error
        except orjson.JSONDecodeError as exc:
            problem = "empty line" if line.isspace() else f"not valid JSON: {exc}"
            yield False, _error(number, problem)
            continue
        if not isinstance(obj, dict):
            yield False, _error(number, "line is not a JSON object")
            continue
        text = obj.get("text")
        if not isinstance(text, str):
            yield False, _error(number, "missing string field 'text'")
            continue
        channel = obj.get("channel")
        intro = isinstance(channel, str) and channel.lower().lstrip("#") in intro_channels
        ident = obj.get("id")
        if "reply_to" in obj or "thread" in obj or "mentions" in obj:
            conversation = conversation_of(obj, ident)
        else:
            conversation = NO_CONVERSATION
        # Most lines have no conversation: their key skips hashing one (a Python-level hash).
        key: tuple[str, bool] | tuple[str, bool, Conversation] = (
            (text, intro) if conversation is NO_CONVERSATION else (text, intro, conversation)
        )
        analysis = seen.get(key) if seen is not None else None
        if analysis is None:
            analysis = detector.analyze(text, intro_channel=intro, conversation=conversation)
            if seen is not None:
                if len(seen) >= CACHE_SIZE:
                    seen.clear()
                seen[key] = analysis
        try:  # absent (or null): the line number stands in
            yield True, orjson.dumps(verdict(number if ident is None else ident, analysis))
        except orjson.JSONEncodeError as exc:  # an id nested past orjson's depth limit
            yield False, _error(number, f"'id' cannot be written back: {exc}")


def classify_block(
    block: bytes, first: int, detector: Detector, intro_channels: frozenset[str], seen: Seen | None
) -> tuple[int, bytes]:
    """The exit status and output lines of one block of whole input lines."""
    status = 0
    out: list[bytes] = []
    for ok, line in classify_lines(io.BytesIO(block), detector, intro_channels, seen, first):
        status |= not ok
        out.append(line)
    out.append(b"")  # the last line's newline
    return status, b"\n".join(out)


def blocks(infile: BinaryIO, size: int = BLOCK) -> Iterator[tuple[int, bytes]]:
    """(number of its first line, block of whole lines) over infile, about `size` bytes each."""
    number = 1
    while block := infile.read(size):
        if not block.endswith(b"\n"):
            block += infile.readline()
        yield number, block
        number += block.count(b"\n") + (not block.endswith(b"\n"))


def run_classify(
    infile: BinaryIO,
    outfile: BinaryIO,
    config: DetectorConfig | None = None,
    intro_channels: frozenset[str] = INTRO_CHANNELS,
    *,
    cache: bool = True,
    jobs: int = 1,
) -> int:
    """Classify every line of infile into outfile; exit status 1 if any line was malformed.

    An input of more than one block is spread over `jobs` worker processes (0: one for each
    CPU this process may use; never more than the machine has); the output is the same, in
    the same order. With cache off,
    repeated texts are analysed again (to measure the detectors themselves).
    """
    from groupbot.core.detect import Detector

    detector = Detector(config, cache=False)  # the loop keeps its own cache of repeated texts
    seen: Seen | None = {} if cache else None
    reader = blocks(infile)
    head = list(itertools.islice(reader, 2))
    status = 0
    if len(head) > 1 and jobs != 1:
        from groupbot.local import classify_pool

        workers = classify_pool.worker_count(jobs)
        if workers > 1:
            detector.prepare()  # once, here: the forked workers start with it done
            job = classify_pool.Job(config, intro_channels, cache)
            status = classify_pool.classify_in_pool(
                itertools.chain(head, reader), outfile, job, workers
            )
            outfile.flush()
            return status
    for first, block in itertools.chain(head, reader):
        done, out = classify_block(block, first, detector, intro_channels, seen)
        status |= done
        outfile.write(out)
    outfile.flush()
    return status

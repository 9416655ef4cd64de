"""`groupbot classify`: JSON Lines of messages in, one verdict per line out (docs/contracts.md)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple, TypeAlias

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


def _conversation(obj: dict[str, Any], ident: object) -> Conversation:
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
SeenKey: TypeAlias = "tuple[str, bool] | tuple[str, bool, Conversation]"
Seen: TypeAlias = "dict[SeenKey, Analysis]"


class _Line(NamedTuple):
    """One well-formed input line: its id, text, intro channel or not, and conversation."""

    ident: object
    key: SeenKey  # its analysis's key in Seen
    text: str
    intro: bool
    conversation: Conversation | None  # None: nothing said about it (most lines)


def _read(number: int, line: bytes, intro_channels: frozenset[str]) -> _Line | bytes:
    """One input line, read; or the error line to write in its place."""
    try:
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            obj = jsonin.loads(line)  # a byte-order mark, a lone surrogate, or an error
    except orjson.JSONDecodeError as exc:
        problem = "empty line" if not line or line.isspace() else f"not valid JSON: {exc}"
        return _error(number, problem)
    if not isinstance(obj, dict):
        return _error(number, "line is not a JSON object")
    text = obj.get("text")
    if not isinstance(text, str):
        return _error(number, "missing string field 'text'")
    channel = obj.get("channel")
    intro = isinstance(channel, str) and channel.lower().lstrip("#") in intro_channels
    ident = obj.get("id")
    conversation = None
    if "reply_to" in obj or "thread" in obj or "mentions" in obj:
        conversation = _conversation(obj, ident)
    # Most lines have no conversation: their key skips hashing one (a Python-level hash).
    key: SeenKey = (text, intro) if conversation is None else (text, intro, conversation)
    return _Line(number if ident is None else ident, key, text, intro, conversation)


def _analyses(lines: list[_Line], detector: Detector, seen: Seen | None) -> list[Analysis]:
    """The analysis of every line, in order: texts seen before are not analysed again."""
    from groupbot.core.detect import NO_CONVERSATION, Message

    no_domains: frozenset[str] = frozenset()
    todo = lines
    if seen is not None:
        fresh: dict[SeenKey, _Line] = {}
        for line in lines:
            if line.key not in seen:
                fresh.setdefault(line.key, line)
        todo = list(fresh.values())
    analyses = detector.analyze_many(
        [
            Message(line.text, line.intro, no_domains, line.conversation or NO_CONVERSATION)
            for line in todo
        ]
    )
    if seen is None:
        return analyses
    seen.update(zip([line.key for line in todo], analyses, strict=True))
    found = [seen[line.key] for line in lines]
    if len(seen) > CACHE_SIZE:
        seen.clear()
    return found


def classify_block(
    block: bytes, first: int, detector: Detector, intro_channels: frozenset[str], seen: Seen | None
) -> tuple[int, bytes]:
    """The exit status and output lines of one block of whole input lines.

    The block's lines are read first, then analysed together (`Detector.analyze_many`), then
    written: each stage keeps its own tables in the CPU's caches.
    """
    rows = block.split(b"\n")
    if not rows[-1]:
        rows.pop()  # the last line's newline
    read = [_read(number, row, intro_channels) for number, row in enumerate(rows, first)]
    lines = [line for line in read if not isinstance(line, bytes)]
    analyses = iter(_analyses(lines, detector, seen))
    status = 0
    out: list[bytes] = []
    for number, line in enumerate(read, first):
        if isinstance(line, bytes):
            status = 1
            out.append(line)
            continue
        try:
            out.append(orjson.dumps(verdict(line.ident, next(analyses))))
        except orjson.JSONEncodeError as exc:  # an id nested past orjson's depth limit
            status = 1
            out.append(_error(number, f"'id' cannot be written back: {exc}"))
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
    if len(head) < 2:
        return _classify_here(head, outfile, detector, intro_channels, seen)
    from groupbot.local.gc_tuning import rare_collections

    detector.prepare()  # once, before the collector is told its objects are here to stay
    with rare_collections():
        if jobs != 1:
            from groupbot.local import classify_pool

            workers = classify_pool.worker_count(jobs)
            if workers > 1:  # forked now, they start with the detector ready and frozen
                job = classify_pool.Job(config, intro_channels, cache)
                status = classify_pool.classify_in_pool(
                    itertools.chain(head, reader), outfile, job, workers
                )
                outfile.flush()
                return status
        return _classify_here(
            itertools.chain(head, reader), outfile, detector, intro_channels, seen
        )


def _classify_here(
    chunks: Iterable[tuple[int, bytes]],
    outfile: BinaryIO,
    detector: Detector,
    intro_channels: frozenset[str],
    seen: Seen | None,
) -> int:
    """Classify blocks of input in this process; the exit status."""
    status = 0
    for first, block in chunks:
        done, out = classify_block(block, first, detector, intro_channels, seen)
        status |= done
        outfile.write(out)
    outfile.flush()
    return status

"""Verdicts as JSON Lines: one message in, one verdict out (`groupbot classify`, docs/contracts.md).

It lives beside the detectors so that mypyc compiles the per-line loop with them: reading,
analysing and writing a line then costs no interpreted bytecode.
"""

from __future__ import annotations

from typing import BinaryIO, Final

import orjson

from . import jsonin
from .detector import Detector
from .results import Analysis, Signal

__all__ = ["classify_lines"]

_BATCH: Final = 2048
_CACHE_SIZE: Final = 65536
# Each reason's JSON by its signal. Signals compare by value, so equal ones share an entry, as
# make_signal already shares them.
_REASONS: Final[dict[Signal, bytes]] = {}


def _body(analysis: Analysis) -> bytes:
    """The verdict's JSON after its "id" value (each line is prefixed with its own id).

    Byte for byte what orjson makes of the verdict as a dict (docs/contracts.md; a property
    test holds the two together), assembled from pieces: a reason's JSON is kept for the next
    message that has it (signals are shared objects), and building and serialising the whole
    dict cost more than the detectors' own slowest stage.
    """
    return b"".join(
        [
            b',"promotional":true' if analysis.promotional else b',"promotional":false',
            b',"introduction":true' if analysis.introduction else b',"introduction":false',
            b',"score":',
            orjson.dumps(analysis.score),
            b',"kind":',
            b"null" if analysis.kind is None else orjson.dumps(analysis.kind),
            b',"reasons":[',
            b",".join([_reason_json(s) for s in analysis.reasons]),
            b'],"intro_score":',
            orjson.dumps(analysis.intro_score),
            b',"intro_reasons":[',
            b",".join([_reason_json(s) for s in analysis.intro_reasons]),
            b"]}",
        ]
    )


def _reason_json(signal: Signal) -> bytes:
    """One reason's JSON object: its signal, evidence, detail and weight."""
    found = _REASONS.get(signal)
    if found is None:
        found = orjson.dumps(
            {
                "signal": signal.signal,
                "evidence": signal.evidence,
                "detail": signal.detail,
                "weight": signal.weight,
            }
        )
        if len(_REASONS) >= _CACHE_SIZE:
            _REASONS.clear()
        _REASONS[signal] = found
    return found


def _error(number: int, message: str) -> bytes:
    """The output line for a malformed input line."""
    return orjson.dumps({"id": number, "error": message})


def classify_lines(
    infile: BinaryIO,
    outfile: BinaryIO,
    detector: Detector,
    intro_channels: frozenset[str],
    cache: bool = True,
) -> int:
    """Write one verdict line per input line; exit status 1 if any line was malformed.

    With cache off, a repeated text is analysed again (benchmarks/classify.py --no-cache).
    """
    # Output after the id, by (text, intro channel): repeated texts (cross-posts, "thanks!") once.
    bodies: dict[tuple[str, bool], bytes] = {}
    status = 0
    out: list[bytes] = []
    number = 0
    for line in infile:
        number += 1
        try:
            obj = jsonin.loads(line)
        except orjson.JSONDecodeError as exc:
            status = 1
            if line.isspace():  # also b"\n" alone; orjson rejects blank input
                out.append(_error(number, "empty line"))
            else:
                out.append(_error(number, f"not valid JSON: {exc}"))
            continue
        if type(obj) is not dict:
            status = 1
            out.append(_error(number, "line is not a JSON object"))
            continue
        text = obj.get("text")
        if type(text) is not str:
            status = 1
            out.append(_error(number, "missing string field 'text'"))
            continue
        ident = obj.get("id")
        try:  # absent (or null): the line number stands in
            ident_json = orjson.dumps(number if ident is None else ident)
        except orjson.JSONEncodeError as exc:  # nested past orjson's depth limit
            status = 1
            out.append(_error(number, f"'id' cannot be written back: {exc}"))
            continue
        channel = obj.get("channel")
        intro = isinstance(channel, str) and channel.lower().lstrip("#") in intro_channels
        key = (text, intro)
        body = bodies.get(key)
        if body is None:
            body = _body(detector.analyze(text, intro_channel=intro))
            if cache:
                if len(bodies) >= _CACHE_SIZE:
                    bodies.clear()  # cheaper than dropping the oldest one at a time
                bodies[key] = body
        out.append(b'{"id":' + ident_json + body)
        if len(out) >= _BATCH:
            out.append(b"")
            outfile.write(b"\n".join(out))
            out.clear()
    if out:
        out.append(b"")
        outfile.write(b"\n".join(out))
    outfile.flush()
    return status

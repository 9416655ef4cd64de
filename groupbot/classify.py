"""`groupbot classify`: JSON Lines of messages in, one verdict per line out (see CONTRACTS.md)."""

from __future__ import annotations

import dataclasses
import typing

import orjson

from groupbot.accel import compiled_detect

if typing.TYPE_CHECKING:  # at run time the pure package is imported only when it is used
    from groupbot.core.detect import Analysis, Detector, DetectorConfig

__all__ = ["INTRO_CHANNELS", "fastest_detector", "run_classify", "verdict"]

INTRO_CHANNELS = frozenset({"introductions", "intros", "introduce-yourself", "say-hello"})
_BATCH = 2048
_CACHE_SIZE = 65536


def verdict(ident: object, analysis: Analysis) -> dict[str, object]:
    """The output object for one analysed message."""
    return {
        "id": ident,
        "promotional": analysis.promotional,
        "introduction": analysis.introduction,
        "score": analysis.score,
        "kind": analysis.kind,
        "reasons": [
            {"signal": s.signal, "evidence": s.evidence, "detail": s.detail, "weight": s.weight}
            for s in analysis.reasons
        ],
        "intro_score": analysis.intro_score,
        "intro_reasons": [
            {"signal": s.signal, "evidence": s.evidence, "detail": s.detail}
            for s in analysis.intro_reasons
        ],
    }


def _body(analysis: Analysis) -> bytes:
    """The verdict's JSON after its "id" value (classify prefixes each line's own id)."""
    return orjson.dumps(verdict(0, analysis))[7:]


def fastest_detector(config: DetectorConfig | None = None) -> Detector:
    """The compiled detector when groupbot/_accel holds a current build, else the pure one."""
    fast = compiled_detect()
    if fast is None:
        from groupbot.core.detect import Detector

        return Detector(config)
    if config is None:
        return typing.cast("Detector", fast.Detector())
    values = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}
    return typing.cast("Detector", fast.Detector(fast.DetectorConfig(**values)))


def _error(number: int, message: str) -> bytes:
    """The output line for a malformed input line."""
    return orjson.dumps({"id": number, "error": message})


def run_classify(
    infile: typing.BinaryIO,
    outfile: typing.BinaryIO,
    config: DetectorConfig | None = None,
    intro_channels: frozenset[str] = INTRO_CHANNELS,
) -> int:
    """Classify every line of infile into outfile; exit status 1 if any line was malformed."""
    analyze = fastest_detector(config).analyze
    # Output after the id, by (text, intro channel): repeated texts (cross-posts, "thanks!") once.
    cache: dict[tuple[str, bool], bytes] = {}
    loads, dumps, decode_error = orjson.loads, orjson.dumps, orjson.JSONDecodeError
    status = 0
    out: list[bytes] = []
    append = out.append
    for number, line in enumerate(infile, 1):
        try:
            obj = loads(line)
        except decode_error as exc:
            status = 1
            if line.isspace():  # also b"\n" alone; orjson rejects blank input
                append(_error(number, "empty line"))
            else:
                append(_error(number, f"not valid JSON: {exc}"))
            continue
        if type(obj) is not dict:
            status = 1
            append(_error(number, "line is not a JSON object"))
            continue
        text = obj.get("text")
        if type(text) is not str:
            status = 1
            append(_error(number, "missing string field 'text'"))
            continue
        channel = obj.get("channel")
        intro = isinstance(channel, str) and channel.lower().lstrip("#") in intro_channels
        key = (text, intro)
        body = cache.get(key)
        if body is None:
            body = _body(analyze(text, intro_channel=intro))
            if len(cache) >= _CACHE_SIZE:
                cache.clear()  # cheaper than dropping the oldest one at a time
            cache[key] = body
        ident = obj.get("id")
        if ident is None:  # absent (or null): the line number stands in
            ident = number
        append(b'{"id":' + dumps(ident) + body)
        if len(out) >= _BATCH:
            append(b"")
            outfile.write(b"\n".join(out))
            out.clear()
    if out:
        append(b"")
        outfile.write(b"\n".join(out))
    outfile.flush()
    return status

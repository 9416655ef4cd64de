"""Bounded nesting: refuse documents nested or dotted deeper than any setting, naming the line."""

from __future__ import annotations

import re

from .errors import RulebookError, RulebookIssue

__all__ = ["MAX_DEPTH", "check_depth"]

MAX_DEPTH = 32

_TOKEN = re.compile(r"\"\"\"|'''|[\"'#\n\[\]{},=.]")
_CLOSE = re.compile(r'\\.|"|\n', re.DOTALL)


def _skip_string(text: str, pos: int, quote: str) -> int:
    """Offset just past the string opened by quote at pos (or the end of text)."""
    if quote == '"':
        for match in _CLOSE.finditer(text, pos + 1):
            if match.group() in ('"', "\n"):
                return match.end()
        return len(text)
    if quote == "'":
        ends = [e for e in (text.find("'", pos + 1), text.find("\n", pos + 1)) if e >= 0]
        return min(ends) + 1 if ends else len(text)
    end = pos + 3
    while True:
        end = text.find(quote, end)
        if end < 0:
            return len(text)
        if quote == '"""' and _escaped(text, end):
            end += 1
            continue
        return end + 3


def _escaped(text: str, pos: int) -> bool:
    """True if the character at pos follows an odd run of backslashes."""
    run = 0
    while pos - run - 1 >= 0 and text[pos - run - 1] == "\\":
        run += 1
    return run % 2 == 1


def check_depth(text: str, source: str) -> None:
    """Raise a one-line RulebookError where brackets or dotted keys go deeper than MAX_DEPTH."""
    stack: list[str] = []
    in_key = True
    parts = 1
    pos = 0
    while match := _TOKEN.search(text, pos):
        token, pos = match.group(), match.end()
        if token in ('"""', "'''", '"', "'"):
            pos = _skip_string(text, match.start(), token)
        elif token == "#":
            end = text.find("\n", pos)
            pos = len(text) if end < 0 else end
        elif token == "\n":
            if not stack:
                in_key, parts = True, 1
        elif in_key:
            if token == ".":
                parts += 1
                if parts > MAX_DEPTH:
                    _refuse(text, match.start(), source, f"a key has more than {MAX_DEPTH} parts")
            elif token == "=":
                in_key = False
            elif token == "}" and stack:
                stack.pop()
        elif token in "[{":
            stack.append(token)
            if len(stack) > MAX_DEPTH:
                _refuse(text, match.start(), source, f"nested more than {MAX_DEPTH} levels deep")
            if token == "{":
                in_key, parts = True, 1
        elif token in "]}" and stack:
            stack.pop()
        elif token == "," and stack and stack[-1] == "{":
            in_key, parts = True, 1


def _refuse(text: str, pos: int, source: str, problem: str) -> None:
    """Raise the refusal for the line holding offset pos."""
    line = text.count("\n", 0, pos) + 1
    raise RulebookError(RulebookIssue(source, line, "", problem))

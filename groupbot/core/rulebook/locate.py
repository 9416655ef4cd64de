"""Where keys are written: the line of every dotted key path in a TOML document."""

from __future__ import annotations

import bisect
import contextlib
import re
import tomllib

BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
KeyPath = tuple[str | int, ...]


class Locator:
    """Map dotted key paths of a valid TOML document to the lines where they are written."""

    def __init__(self, text: str) -> None:
        """Scan text once, recording the line of every table header, key and array item."""
        self.text = text
        self.pos = 0
        self.newlines = [i for i, ch in enumerate(text) if ch == "\n"]
        self.lines: dict[KeyPath, int] = {}
        self._last = -1
        with contextlib.suppress(IndexError, ValueError):  # best effort: keep what was found
            self._document()

    def line_at(self, pos: int) -> int:
        """1-based line number of a character offset."""
        return bisect.bisect_left(self.newlines, pos) + 1

    def _record(self, path: KeyPath, pos: int) -> None:
        """Remember where a path first appears (and its parents, if not yet seen)."""
        for n in range(1, len(path) + 1):
            self.lines.setdefault(path[:n], self.line_at(pos))

    def _peek(self, n: int = 1) -> str:
        """The next n characters."""
        return self.text[self.pos : self.pos + n]

    def _skip_space(self, newlines: bool = False) -> None:
        """Skip blanks, and optionally newlines and comments."""
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch in " \t" or (newlines and ch in "\r\n"):
                self.pos += 1
            elif newlines and ch == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                return

    def _progress(self) -> None:
        """Stop scanning at the end of the text or when a loop stops advancing."""
        if self.pos >= len(self.text) or self.pos == self._last:
            raise ValueError("stuck")
        self._last = self.pos

    def _skip_line(self) -> None:
        """Skip to the start of the next line."""
        end = self.text.find("\n", self.pos)
        self.pos = len(self.text) if end < 0 else end + 1

    def _document(self) -> None:
        """Walk headers and key/value lines."""
        table: tuple[str, ...] = ()
        while True:
            self._skip_space(newlines=True)
            if self.pos >= len(self.text):
                return
            start = self.pos
            if self._peek(2) == "[[":
                self.pos += 2
                table = self._key("]]")
                self.pos += 2
                self._record(table, start)
            elif self._peek() == "[":
                self.pos += 1
                table = self._key("]")
                self.pos += 1
                self._record(table, start)
            else:
                key = self._key("=")
                self.pos += 1
                self._record(table + key, start)
                self._value(table + key)
            self._skip_line()

    def _key(self, stop: str) -> tuple[str, ...]:
        """Read a (dotted) key up to the stop token, leaving pos at it."""
        parts: list[str] = []
        while True:
            self._skip_space()
            ch = self._peek()
            if ch == '"':
                parts.append(self._basic_string())
            elif ch == "'":
                end = self.text.index("'", self.pos + 1)
                parts.append(self.text[self.pos + 1 : end])
                self.pos = end + 1
            else:
                match = BARE_KEY.match(self.text, self.pos)
                if not match:
                    raise ValueError("bad key")
                parts.append(match.group())
                self.pos = match.end()
            self._skip_space()
            if self._peek() == ".":
                self.pos += 1
                continue
            if self._peek(len(stop)) != stop:
                raise ValueError("bad key")
            return tuple(parts)

    def _basic_string(self) -> str:
        """Read a single-line basic string, returning its decoded text."""
        end = self.pos + 1
        while self.text[end] != '"':
            end += 2 if self.text[end] == "\\" else 1
        raw = self.text[self.pos : end + 1]
        self.pos = end + 1
        try:
            value = tomllib.loads(f"k = {raw}")["k"]
        except tomllib.TOMLDecodeError:
            return raw[1:-1]
        return value if isinstance(value, str) else raw[1:-1]

    def _value(self, path: KeyPath) -> None:
        """Skip one value, recording keys of inline tables and items of arrays."""
        self._skip_space()
        if self._peek(3) in ('"""', "'''"):
            quote = self._peek(3)
            end = self.pos + 3
            while end < len(self.text):
                if quote == '"""' and self.text[end] == "\\":
                    end += 2
                    continue
                if self.text.startswith(quote, end):
                    end += 3
                    while end < len(self.text) and self.text[end] == quote[0]:
                        end += 1
                    break
                end += 1
            self.pos = end
        elif self._peek() == '"':
            self._basic_string()
        elif self._peek() == "'":
            self.pos = self.text.index("'", self.pos + 1) + 1
        elif self._peek() == "[":
            self.pos += 1
            index = 0
            while True:
                self._skip_space(newlines=True)
                if self._peek() == "]":
                    self.pos += 1
                    return
                self._progress()
                self._record((*path, index), self.pos)
                self._value((*path, index))
                index += 1
                self._skip_space(newlines=True)
                if self._peek() == ",":
                    self.pos += 1
        elif self._peek() == "{":
            self.pos += 1
            while True:
                self._skip_space()
                if self._peek() == "}":
                    self.pos += 1
                    return
                self._progress()
                start = self.pos
                key = self._key("=")
                self.pos += 1
                self._record((*path, *key), start)
                self._value((*path, *key))
                self._skip_space()
                if self._peek() == ",":
                    self.pos += 1
        else:
            while self.pos < len(self.text) and self.text[self.pos] not in ",]}\n#":
                self.pos += 1

    def find(self, path: KeyPath) -> int | None:
        """Line of the longest prefix of path written in the document, if any."""
        for n in range(len(path), 0, -1):
            line = self.lines.get(path[:n])
            if line is not None:
                return line
        return None

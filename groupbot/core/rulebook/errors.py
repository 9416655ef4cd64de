"""Problems found in a rulebook: where each is and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RulebookError", "RulebookIssue"]


@dataclass(frozen=True, slots=True)
class RulebookIssue:
    """One problem found in a rulebook: where it is and what is wrong."""

    source: str
    line: int | None
    path: str
    problem: str
    column: int | None = None

    def __str__(self) -> str:
        """Render as '<source>:<line>[:<col>]: <path>: <problem>'."""
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.path}: {self.problem}" if self.path else f"{where}: {self.problem}"


class RulebookError(ValueError):
    """A rulebook that cannot be used, with the file, line and key at fault."""

    def __init__(self, issues: list[RulebookIssue] | RulebookIssue) -> None:
        """Build from one or more issues; the message is the first, plus a count of the rest."""
        found = [issues] if isinstance(issues, RulebookIssue) else list(issues)
        if not found:
            raise ValueError("RulebookError needs at least one issue")
        self.issues: tuple[RulebookIssue, ...] = tuple(found)
        first = found[0]
        self.source: str = first.source
        self.line: int | None = first.line
        self.path: str = first.path
        self.problem: str = first.problem
        message = str(first)
        if len(found) > 1:
            rest = len(found) - 1
            message += f" (and {rest} more problem{'s' if rest > 1 else ''})"
        super().__init__(message)

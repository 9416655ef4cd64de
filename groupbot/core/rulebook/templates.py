"""Message templates: allowed placeholders, validation and rendering."""

from __future__ import annotations

import string
from collections.abc import Mapping

MAX_TEMPLATE_CHARS = 2000

WELCOME_PLACEHOLDERS = frozenset({"name", "community", "intro_channel", "norms"})
BATCH_WELCOME_PLACEHOLDERS = frozenset({"names", "community", "intro_channel", "norms"})
NOTE_PLACEHOLDERS = frozenset({"name", "quote", "why", "how_to_ask", "community"})


def _template_fields(template: str) -> list[str]:
    """Return the placeholder names used in a str.format template, rejecting unsafe forms."""
    names: list[str] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(
            f"malformed placeholder ({exc}); write {{{{ and }}}} for literal braces"
        ) from None
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if field == "" or not field.isidentifier():
            raise ValueError(
                f"placeholder {{{field}}} is not a plain name; use e.g. {{name}}, "
                "and write {{ and }} for literal braces"
            )
        if spec or conversion:
            raise ValueError(f"placeholder {{{field}}} must be plain, without '!' or ':' parts")
        names.append(field)
    return names


def check_template(template: str, allowed: frozenset[str]) -> str:
    """Validate a message template: non-empty, bounded, and only allowed placeholders."""
    if not template.strip():
        raise ValueError("must not be empty")
    if len(template) > MAX_TEMPLATE_CHARS:
        raise ValueError(
            f"is {len(template)} characters long; at most {MAX_TEMPLATE_CHARS} are allowed"
        )
    for name in _template_fields(template):
        if name not in allowed:
            known = ", ".join("{" + a + "}" for a in sorted(allowed))
            raise ValueError(f"unknown placeholder {{{name}}} (allowed: {known})")
    return template


def render_template(template: str, values: Mapping[str, str]) -> str:
    """Fill a validated template's plain {placeholders} from values; a missing name is KeyError."""
    out: list[str] = []
    for literal, field, _spec, _conv in string.Formatter().parse(template):
        out.append(literal)
        if field is not None:
            out.append(values[field])
    return "".join(out)

"""Writing a rulebook as commented TOML, every setting with its description."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel

if TYPE_CHECKING:
    from .schema import Rulebook


def escape(value: str, multiline: bool = False) -> str:
    """Escape text for a TOML basic string (multi-line keeps newlines and tabs)."""
    out: list[str] = []
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\n" if multiline else "\\n")
        elif ch == "\t":
            out.append("\t" if multiline else "\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def toml_value(value: object) -> str:
    """Render one setting's value as TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        if "\n" in value:
            return '"""\n' + escape(value, multiline=True) + '"""'
        return '"' + escape(value) + '"'
    if isinstance(value, tuple | list):
        items = [toml_value(v) for v in value]
        one_line = "[" + ", ".join(items) + "]"
        if len(one_line) <= 80:
            return one_line
        return "[\n" + "".join(f"    {item},\n" for item in items) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _write_table(model: BaseModel, header: str, out: list[str]) -> None:
    """Append a table's scalar settings (with descriptions as comments), then its sub-tables."""
    fields = type(model).model_fields
    scalars = [n for n in fields if not isinstance(getattr(model, n), BaseModel)]
    tables = [n for n in fields if isinstance(getattr(model, n), BaseModel)]
    if header and scalars:
        doc = (type(model).__doc__ or "").strip()
        out.append("")
        if doc:
            out.append(f"# {doc}")
        out.append(f"[{header}]")
    for name in scalars:
        description = fields[name].description
        if description:
            out.append(f"# {description}")
        out.append(f"{name} = {toml_value(getattr(model, name))}")
    for name in tables:
        _write_table(getattr(model, name), f"{header}.{name}" if header else name, out)


def rulebook_to_toml(rb: Rulebook) -> str:
    """The effective rulebook as commented TOML, every setting written; parses back to rb."""
    out = ["# groupbot rulebook: the effective settings (see docs/rulebook.md)."]
    _write_table(rb, "", out)
    return "\n".join(out) + "\n"

"""Everything stored about one community, written out as one JSON document for its owners."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from groupbot.storage.models import Base, Community

__all__ = ["INTERNAL_TABLES", "export_community"]

CHUNK = 5_000
# Bookkeeping that says nothing about anyone: which platform event ids were already handled.
INTERNAL_TABLES = frozenset({"processed_events"})
JSON_COLUMNS = frozenset({"detail", "evidence", "payload"})  # stored as JSON text


def _community_tables() -> list[Table]:
    return [
        table
        for table in Base.metadata.sorted_tables
        if "community" in table.c and table.name not in INTERNAL_TABLES
    ]


def _row(row: dict[str, Any]) -> dict[str, Any]:
    for name, value in row.items():
        if isinstance(value, datetime) and value.tzinfo is None:
            row[name] = value.replace(tzinfo=UTC)  # SQLite hands back UTC without its zone
    for name in JSON_COLUMNS & row.keys():
        value = row[name]
        if isinstance(value, str):
            with suppress(orjson.JSONDecodeError):  # else kept as the text it is
                row[name] = orjson.loads(value)
    return row


async def export_community(
    conn: AsyncConnection, community: str, write: Callable[[bytes], object]
) -> dict[str, int] | None:
    """Stream the community's rows, table by table; rows per table, or None if it is unknown."""
    communities = Community.__table__
    found = await conn.execute(select(communities).where(communities.c.key == community))
    known = found.first()
    if known is None:
        return None
    head = {"community": community, "exported_at": datetime.now(UTC)}
    head |= {k: v for k, v in _row(dict(known._mapping)).items() if k != "key"}
    write(orjson.dumps(head)[:-1] + b',"tables":{')
    counts: dict[str, int] = {}
    for n, table in enumerate(_community_tables()):
        write((b"," if n else b"") + orjson.dumps(table.name) + b":[")
        query = select(table).where(table.c.community == community)
        order = list(table.primary_key.columns)
        rows = 0
        async for row in await conn.stream(
            query.order_by(*order).execution_options(yield_per=CHUNK)
        ):
            write((b"," if rows else b"") + orjson.dumps(_row(dict(row._mapping))))
            rows += 1
        write(b"]")
        counts[table.name] = rows
    write(b"}}\n")
    return counts

"""Gap-free counters: the next value of a counter row, taken in the caller's transaction.

The row is created at 1 or incremented by one upsert; it stays locked until the transaction ends, so
concurrent takers queue on it and each gets the next value, and a transaction that fails gives its
value back (document numbers that never repeat and leave no gaps)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import InstrumentedAttribute


async def take_next(
    session: Any, counter: InstrumentedAttribute[int], row: dict[str, Any], **conflict: Any
) -> int:
    """Increment ``counter`` of the row identified by ``row`` (``conflict``: the upsert's
    ``index_elements`` or ``constraint``) and return its new value."""
    statement = (
        insert(counter.class_)
        .values(**row, **{counter.key: 1})
        .on_conflict_do_update(**conflict, set_={counter.key: counter + 1})
        .returning(counter)
    )
    return (await session.execute(statement)).scalar_one()

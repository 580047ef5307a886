"""The index follows the records: a persistent outbox subscriber on every event, which keeps the
document of each indexable entity's record in line with its row (created/updated: upserted; deleted:
removed) — a dispatch batch's records together, at the batch's end. Matching by the event's
``<module>.<entity>`` prefix at dispatch time, it covers every declared entity, whichever module
declared it and in whatever order modules are imported."""

from __future__ import annotations

import uuid
from typing import Any

from models.events import OutboxEvent
from resolvers.entity import Entity
from resolvers.events import subscribe, time_window
from resolvers.scope import parse_uuid
from resolvers.search.documents import entity_for_event, entity_type
from resolvers.search.indexer import sync_records

SUBSCRIBER = "search-index"
EMBED_FUNCTION = "embed_search_documents"
PENDING_KEY = "search.pending"  # the dispatch batch's records to index, per entity type
EMBED_WINDOW = 1.0  # seconds: the documents a tenant gets within one window are embedded by one job


@subscribe("*", SUBSCRIBER)
async def index_record(ctx: dict[str, Any], event: OutboxEvent) -> None:
    """Collect the event's record; the dispatch batch's records are indexed together at its end."""
    entity = entity_for_event(event.name)
    record_id = parse_uuid((event.payload or {}).get("id"))
    if entity is None or record_id is None:
        return
    pending = ctx.get(PENDING_KEY)
    if pending is None:
        pending = ctx[PENDING_KEY] = {}
        ctx["before_commit"].append(lambda session: _index(ctx, session, pending))
    pending.setdefault(entity_type(entity), (entity, set()))[1].add(record_id)


async def _index(ctx: dict[str, Any], session: Any, pending: dict[str, tuple[Entity, set[uuid.UUID]]]) -> Any:
    """Index the batch's records in its transaction (a failure fails the batch: retried, never lost);
    once committed, mirror the changes and queue one embedding job per tenant waiting for vectors."""
    synced = [await sync_records(session, entity, ids) for entity, ids in pending.values()]

    async def after_commit() -> None:
        for changes in synced:
            await changes.mirror(ctx["settings"])
        # The embeddings in their own job: loading the model must not hold up event dispatch.
        for tenant_id in {t for changes in synced for t in changes.embedding}:
            await queue_embedding(ctx["redis"], str(tenant_id))

    return after_commit


async def queue_embedding(redis: Any, tenant_id: str) -> None:
    """One embedding job per tenant and window, run when the window ends (it embeds every document
    still without a vector): a burst of writes costs a job a second, not a job a write. arq refuses a
    second job with the same id."""
    window, end = time_window(EMBED_WINDOW)
    await redis.enqueue_job(
        EMBED_FUNCTION, tenant_id, _job_id=f"embed:{tenant_id}:{window}", _defer_until=end
    )

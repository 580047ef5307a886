"""Writing the index: documents upserted from records (one by one from events, in batches from
jobs), embeddings computed when the tenant's auto-indexing is on, copies sent to OpenSearch when it is
the backend. Every write is idempotent: a document reflects its record's current row."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert

from models.search import REVISION, SearchDocument, SearchSettings
from resolvers.entity import Entity
from resolvers.search import embeddings
from resolvers.search.backend import backend_for
from resolvers.search.documents import IndexDocument, document, entity_type

log = logging.getLogger("crmgraph.search")
D = SearchDocument


def _row_values(doc: IndexDocument) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "tenant_id": doc.tenant_id,
        "organization_id": doc.organization_id,
        "entity_type": doc.entity_type,
        "record_id": doc.record_id,
        "title": doc.title,
        "body": doc.text,
        "view_features": list(doc.view_features),
        "tokens": doc.tokens,
        "content_hash": doc.content_hash,
    }


Vectors = Sequence[np.ndarray | None]


async def write_documents(
    session: Any, docs: Sequence[IndexDocument], vectors: Vectors | None = None
) -> None:
    """Upsert documents. A document given a vector takes it as its embedding; one without keeps its
    embedding while its content is unchanged and loses it (stale) when the content changed."""
    if not docs:
        return
    rows = [_row_values(d) for d in docs]
    for row, vector in zip(rows, vectors if vectors is not None else [None] * len(rows), strict=True):
        row["embedding"] = embeddings.to_bytes(vector) if vector is not None else None
        row["embedding_model"] = embeddings.MODEL if vector is not None else None
    statement = insert(D).values(rows)
    new = statement.excluded
    unchanged = D.content_hash == new.content_hash
    given = new.embedding.is_not(None)
    embedding = case((given, new.embedding), (unchanged, D.embedding), else_=None)
    model = case((given, new.embedding_model), (unchanged, D.embedding_model), else_=None)
    statement = statement.on_conflict_do_update(
        constraint="uq_search_documents_record",
        set_={
            "organization_id": new.organization_id,
            "title": new.title,
            "body": new.body,
            "view_features": new.view_features,
            "tokens": new.tokens,
            "content_hash": new.content_hash,
            "embedding": embedding,
            "embedding_model": model,
            "revision": REVISION.next_value(),
            "indexed_at": func.now(),
        },
    )
    await session.execute(statement)


async def auto_indexing(session: Any, tenant_id: uuid.UUID) -> bool:
    """Whether records of the tenant get their embedding when they are indexed."""
    enabled = await session.scalar(
        select(SearchSettings.auto_indexing).where(SearchSettings.tenant_id == tenant_id)
    )
    return embeddings.available() and enabled is not False


async def embed(docs: Sequence[IndexDocument]) -> Vectors | None:
    """Embeddings of the documents, or None when the model fails (indexed without; a vector reindex
    fills them in later)."""
    if not docs:
        return []
    try:
        return list(await embeddings.encode([d.embedding_text for d in docs]))
    except Exception as exc:  # the full-text and token stores must not depend on the model
        log.warning("embedding failed (%s: %s); indexed without vectors", type(exc).__name__, exc)
        return None


async def vectors_for_changed(session: Any, docs: Sequence[IndexDocument]) -> Vectors | None:
    """Embeddings for the documents whose content differs from what their stored embedding was made
    of (None entries for the others, which keep theirs)."""
    if not docs:
        return None
    first = docs[0]
    stored = dict(
        (
            await session.execute(
                select(D.record_id, D.content_hash).where(
                    D.tenant_id == first.tenant_id,
                    D.entity_type == first.entity_type,
                    D.record_id.in_([d.record_id for d in docs]),
                    D.embedding.is_not(None),
                )
            )
        ).all()
    )
    changed = [i for i, d in enumerate(docs) if stored.get(d.record_id) != d.content_hash]
    computed = await embed([docs[i] for i in changed])
    if computed is None:
        return None
    vectors: list[np.ndarray | None] = [None] * len(docs)
    for i, vector in zip(changed, computed, strict=True):
        vectors[i] = vector
    return vectors


async def bump_epoch(session: Any, tenant_id: uuid.UUID) -> None:
    """Documents were removed in bulk: vector caches reload the tenant."""
    statement = insert(SearchSettings).values(tenant_id=tenant_id, global_strategies=[], index_epoch=1)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[SearchSettings.tenant_id], set_={"index_epoch": SearchSettings.index_epoch + 1}
        )
    )


@dataclass
class Synced:
    """What :func:`sync_records` changed: documents removed and written, and the tenants whose new
    documents wait for an embedding (:func:`embed_pending`, its own job)."""

    removed: list[tuple[str, uuid.UUID]] = field(default_factory=list)
    written: list[IndexDocument] = field(default_factory=list)
    embedding: set[uuid.UUID] = field(default_factory=set)

    async def mirror(self, settings: Any) -> None:
        """Send the changes to the OpenSearch copy (documents waiting for a vector go with it)."""
        mirror = backend_for(settings).mirror
        if mirror is not None and self.removed:
            await mirror.remove(self.removed)
        await mirror_documents(settings, [d for d in self.written if d.tenant_id not in self.embedding], None)


async def sync_records(session: Any, entity: Entity, record_ids: Iterable[uuid.UUID]) -> Synced:
    """Bring the records' documents in line with their rows (one read, one upsert, one delete), in
    the caller's transaction (the worker's system session: every tenant)."""
    kind, model, ids = entity_type(entity), entity.model, set(record_ids)
    rows = (await session.execute(select(model).where(model.id.in_(ids)))).scalars().all()
    live = [row for row in rows if getattr(row, "deleted_at", None) is None]
    synced = Synced(written=[document(entity, row) for row in live])
    gone = ids - {row.id for row in live}
    if gone:
        await session.execute(delete(D).where(D.entity_type == kind, D.record_id.in_(gone)))
        synced.removed = [(kind, record_id) for record_id in gone]
    await write_documents(session, synced.written)
    if synced.written:
        waiting = await session.execute(
            select(D.tenant_id)
            .where(D.entity_type == kind, D.record_id.in_([d.record_id for d in synced.written]))
            .where(D.embedding.is_(None))
            .distinct()
        )
        synced.embedding = {t for t in waiting.scalars() if await auto_indexing(session, t)}
    return synced


EMBED_BATCH = 64


async def embed_pending(sessionmaker: Any, settings: Any, tenant_id: uuid.UUID) -> int:
    """Compute the embeddings the tenant's documents lack (idempotent; a document whose content
    changed meanwhile keeps waiting for the next run)."""
    done = 0
    async with sessionmaker() as session:
        if not await auto_indexing(session, tenant_id):
            return 0
    while True:
        async with sessionmaker() as session:
            rows = (
                (
                    await session.execute(
                        select(D)
                        .where(D.tenant_id == tenant_id, D.embedding.is_(None))
                        .order_by(D.revision)
                        .limit(EMBED_BATCH)
                    )
                )
                .scalars()
                .all()
            )
            if not rows:
                return done
            docs = [stored_document(row) for row in rows]
            vectors = await embed(docs)
            if vectors is None:
                return done
            for row, doc, vector in zip(rows, docs, vectors, strict=True):
                await session.execute(
                    update(D)
                    .where(D.id == row.id, D.content_hash == doc.content_hash)
                    .values(
                        embedding=embeddings.to_bytes(vector),
                        embedding_model=embeddings.MODEL,
                        revision=REVISION.next_value(),
                    )
                )
            await session.commit()
        await mirror_documents(settings, docs, vectors)
        done += len(rows)


def stored_document(row: SearchDocument) -> IndexDocument:
    return IndexDocument(
        entity_type=row.entity_type,
        record_id=row.record_id,
        tenant_id=row.tenant_id,
        organization_id=row.organization_id,
        title=row.title,
        text=row.body,
        view_features=tuple(row.view_features),
    )


async def mirror_documents(settings: Any, docs: Sequence[IndexDocument], vectors: Vectors | None) -> None:
    mirror = backend_for(settings).mirror
    if mirror is not None:
        pairs = zip(docs, vectors if vectors is not None else [None] * len(docs), strict=True)
        await mirror.index(list(pairs))


def live_rows(entity: Entity, tenant_id: uuid.UUID, org_ids: Sequence[uuid.UUID] | None) -> Any:
    """The entity's live rows of a tenant (and organizations, for org-scoped entities), by id."""
    model = entity.model
    query = select(model).where(model.tenant_id == tenant_id)
    if hasattr(model, "deleted_at"):
        query = query.where(model.deleted_at.is_(None))
    if org_ids is not None and entity.scope == "org":
        query = query.where(model.organization_id.in_(org_ids))
    return query.order_by(model.id)


def documents_of(
    kind: str, tenant_id: uuid.UUID, org_ids: Sequence[uuid.UUID] | None, *, scoped_entity: bool
) -> list[Any]:
    """WHERE conditions for one entity type's documents of a tenant (and organizations)."""
    conditions = [D.tenant_id == tenant_id, D.entity_type == kind]
    if org_ids is not None and scoped_entity:
        conditions.append(D.organization_id.in_(org_ids))
    return conditions


async def remove_stale(
    session: Any, entity: Entity, tenant_id: uuid.UUID, org_ids: Sequence[uuid.UUID] | None, before: int
) -> int:
    """Documents a reindex did not rewrite (their records are gone): removed."""
    conditions = documents_of(entity_type(entity), tenant_id, org_ids, scoped_entity=entity.scope == "org")
    result = await session.execute(delete(D).where(*conditions, D.revision <= before))
    return result.rowcount or 0


async def purge(
    session: Any,
    tenant_id: uuid.UUID,
    kinds: Sequence[Entity],
    org_ids: Sequence[uuid.UUID] | None,
    *,
    vectors_only: bool = False,
) -> int:
    """Remove the documents (or only their embeddings) of entity types in a tenant/organizations."""
    removed = 0
    for entity in kinds:
        conditions = documents_of(
            entity_type(entity), tenant_id, org_ids, scoped_entity=entity.scope == "org"
        )
        if vectors_only:
            statement = (
                update(D)
                .where(*conditions, D.embedding.is_not(None))
                .values(embedding=None, embedding_model=None, revision=REVISION.next_value())
            )
        else:
            statement = delete(D).where(*conditions)
        removed += (await session.execute(statement)).rowcount or 0
    await bump_epoch(session, tenant_id)
    return removed


async def next_revision(session: Any) -> int:
    return int(await session.scalar(select(REVISION.next_value())))


BATCH = 256


async def reindex_records(
    sessionmaker: Any,
    settings: Any,
    tenant_id: uuid.UUID,
    entity: Entity,
    org_ids: Sequence[uuid.UUID] | None,
    *,
    vectors: str = "changed",
    advance: Callable[[int], Awaitable[None]] | None = None,
) -> int:
    """Every live record of the entity in the tenant (and organizations), in id order and batches;
    then the documents whose records are gone are removed. ``vectors``: ``all`` recomputes every
    embedding, ``changed`` those whose content changed (when the tenant's auto-indexing is on)."""
    async with sessionmaker() as session:
        before = await next_revision(session)
        embedding = vectors == "all" or await auto_indexing(session, tenant_id)
    last: uuid.UUID | None = None
    done = 0
    while True:
        query = live_rows(entity, tenant_id, org_ids).limit(BATCH)
        if last is not None:
            query = query.where(entity.model.id > last)
        async with sessionmaker() as session:
            rows = list((await session.execute(query)).scalars())
            if not rows:
                break
            docs = [document(entity, row) for row in rows]
            computed = None
            if vectors == "all":
                computed = await embed(docs)
            elif embedding:
                computed = await vectors_for_changed(session, docs)
            await write_documents(session, docs, computed)
            await session.commit()
        await mirror_documents(settings, docs, computed)
        last = rows[-1].id
        done += len(rows)
        if advance is not None:
            await advance(len(rows))
    async with sessionmaker() as session:
        if await remove_stale(session, entity, tenant_id, org_ids, before):
            await bump_epoch(session, tenant_id)
        await session.commit()
    return done

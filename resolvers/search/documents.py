"""What the search index holds of a record: the document built from an entity's row.

Every declared entity whose rows belong to a tenant and carry text is indexed. Its document names the
entity type (``<module>:<entity>``), the record, tenant and organization, a title (the first of the
entity's search fields), the text (its other search fields and long free-text fields), the features
needed to view the record (the entity's view features) and hashed word tokens.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text

from resolvers.entity import ENTITIES, Entity, Field
from resolvers.validation import column_type

MAX_TOKENS = 512
TITLE_LENGTH = 500
BODY_LENGTH = 20_000
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class IndexDocument:
    entity_type: str
    record_id: uuid.UUID
    tenant_id: uuid.UUID
    organization_id: uuid.UUID | None
    title: str
    text: str
    view_features: tuple[str, ...]

    @property
    def tokens(self) -> list[str]:
        return hashed_tokens(f"{self.title}\n{self.text}")[:MAX_TOKENS]

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(f"{self.title}\n{self.text}".encode()).hexdigest()

    @property
    def embedding_text(self) -> str:
        """What the vector store embeds (the model reads its first 256 word pieces)."""
        return f"{self.title}. {self.text}"[:2000]


def entity_type(entity: Entity) -> str:
    return f"{entity.module}:{entity.name}"


def _is_long_text(entity: Entity, f: Field) -> bool:
    return isinstance(column_type(entity.model, f.attr), Text)


def text_fields(entity: Entity) -> list[Field]:
    """The fields a document is made of: search fields first, then unbounded free text."""
    texts = [f for f in entity.fields if f.read and f.type is str]
    first = [f for f in texts if f.search]
    return first + [f for f in texts if not f.search and _is_long_text(entity, f)]


def is_indexable(entity: Entity) -> bool:
    return entity.scope != "global" and hasattr(entity.model, "tenant_id") and bool(text_fields(entity))


def indexable() -> dict[str, Entity]:
    """Indexable entities by entity type (read at call time: every module's declarations count)."""
    return {entity_type(e): e for e in ENTITIES.values() if is_indexable(e)}


def entity_for_type(name: str) -> Entity | None:
    return indexable().get(name)


_FOR_PREFIX: dict[tuple[str, int], Entity | None] = {}  # (event prefix, entities declared) -> entity


def entity_for_event(event_name: str) -> Entity | None:
    """The indexable entity an event ``<module>.<entity>.<verb>`` is about (looked up once per prefix
    while the declarations stay as they are: every dispatched event asks)."""
    key = (event_name.rpartition(".")[0], len(ENTITIES))
    found = _FOR_PREFIX.get(key, ...)
    if found is ... or (found is not None and ENTITIES.get(found.name) is not found):
        found = _FOR_PREFIX[key] = next(
            (e for e in ENTITIES.values() if e.event_prefix == key[0] and is_indexable(e)), None
        )
    return found


def document(entity: Entity, row: Any) -> IndexDocument:
    values = [str(v).strip() for f in text_fields(entity) if (v := getattr(row, f.attr, None))]
    values = [v for v in values if v]
    title = values[0] if values else ""
    return IndexDocument(
        entity_type=entity_type(entity),
        record_id=row.id,
        tenant_id=row.tenant_id,
        organization_id=getattr(row, "organization_id", None) if entity.scope == "org" else None,
        title=title[:TITLE_LENGTH],
        text="\n".join(values[1:])[:BODY_LENGTH],
        view_features=tuple(entity.features.view),
    )


def words(text: str) -> list[str]:
    """Lower-cased word tokens of at least two characters, first occurrence order, no repeats."""
    return list(dict.fromkeys(w for w in WORD.findall(text.lower()) if len(w) >= 2))


def token_hash(word: str) -> str:
    """A token as the tokens store keeps it: a keyed-free digest, so the store never holds the text."""
    return hashlib.blake2b(word.encode(), digest_size=8).hexdigest()


def hashed_tokens(text: str) -> list[str]:
    return [token_hash(w) for w in words(text)]

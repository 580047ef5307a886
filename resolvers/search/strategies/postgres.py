"""The PostgreSQL strategies: full-text (``tsvector`` prefix match + ``pg_trgm`` word similarity for
typos) and tokens (hashed words). Both run in the caller's read session, under row-level security."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, and_, cast, func, literal_column, or_, select
from sqlalchemy.dialects.postgresql import ARRAY

from models.search import SearchDocument
from resolvers.search.documents import token_hash, words
from resolvers.search.strategies.base import Hit, SearchScope

D = SearchDocument
MAX_QUERY_WORDS = 16
SIMPLE = literal_column("'simple'::regconfig")  # the configuration the documents' tsvector uses


def scope_conditions(scope: SearchScope) -> list[Any]:
    """Documents of the scope: tenant, entity types, view features held, organizations."""
    granted = cast(list(scope.granted_features), ARRAY(String))
    conditions = [
        D.tenant_id == scope.tenant_id,
        D.entity_type.in_(scope.entity_types),
        D.view_features.contained_by(granted),
    ]
    if scope.org_ids is not None:
        tenant_level = D.entity_type.in_(scope.tenant_level_types) if scope.tenant_level_types else False
        conditions.append(
            or_(D.organization_id.in_(scope.org_ids), and_(D.organization_id.is_(None), tenant_level))
        )
    return conditions


def prefix_tsquery(text: str) -> str | None:
    """``word:* & word:*`` from the query's words (only ``\\w`` characters: always valid syntax)."""
    terms = words(text)[:MAX_QUERY_WORDS]
    return " & ".join(f"{term}:*" for term in terms) if terms else None


class PostgresFullText:
    id = "fulltext"
    name = "Full-text (PostgreSQL)"
    priority = 1

    def available(self) -> bool:
        return True

    async def search(self, ctx: Any, text: str, scope: SearchScope, limit: int) -> list[Hit]:
        tsquery = prefix_tsquery(text)
        if tsquery is None or not scope.entity_types:
            return []
        query = func.to_tsquery(SIMPLE, tsquery)
        phrase = " ".join(words(text)[:MAX_QUERY_WORDS])
        rank = func.ts_rank_cd(D.search_vector, query) + func.word_similarity(phrase, D.title)
        statement = (
            select(D.entity_type, D.record_id, rank.label("score"))
            .where(*scope_conditions(scope), or_(D.search_vector.op("@@")(query), D.title.op("%>")(phrase)))
            .order_by(rank.desc(), D.record_id)
            .limit(limit)
        )
        async with ctx.read_session() as session:
            rows = (await session.execute(statement)).all()
        return [Hit(r.entity_type, r.record_id, float(r.score), self.id) for r in rows]


class PostgresTokens:
    """Exact word matches on hashed tokens (the store list search uses where text may be encrypted)."""

    id = "tokens"
    name = "Tokens (PostgreSQL)"
    priority = 3

    def available(self) -> bool:
        return True

    async def search(self, ctx: Any, text: str, scope: SearchScope, limit: int) -> list[Hit]:
        hashes = [token_hash(w) for w in words(text)[:MAX_QUERY_WORDS]]
        if not hashes or not scope.entity_types:
            return []
        wanted = cast(hashes, ARRAY(String))
        token = func.unnest(D.tokens).table_valued("token").render_derived(name="doc_tokens")
        matched = select(func.count()).select_from(token).where(token.c.token == func.any(wanted))
        score = (matched.scalar_subquery() / float(len(hashes))).label("score")
        statement = (
            select(D.entity_type, D.record_id, score)
            .where(*scope_conditions(scope), D.tokens.overlap(wanted))
            .order_by(score.desc(), D.record_id)
            .limit(limit)
        )
        async with ctx.read_session() as session:
            rows = (await session.execute(statement)).all()
        return [Hit(r.entity_type, r.record_id, float(r.score), self.id) for r in rows]

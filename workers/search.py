"""arq jobs of the search module: run one reindex/purge job (``resolvers.search.jobs``) and compute
the embeddings a tenant's documents lack (``resolvers.search.indexer.embed_pending``)."""

from __future__ import annotations

import uuid
from typing import Any

from arq import func

from resolvers.search.indexer import embed_pending
from resolvers.search.jobs import run_job


async def run_search_job(ctx: dict[str, Any], job_id: str) -> str:
    return await run_job(ctx["sessionmaker"], ctx["settings"], uuid.UUID(job_id))


async def embed_search_documents(ctx: dict[str, Any], tenant_id: str) -> int:
    return await embed_pending(ctx["sessionmaker"], ctx["settings"], uuid.UUID(tenant_id))


# Longer than the default 60 s: a reindex walks a whole tenant, and the first embedding loads the model.
FUNCTIONS = [func(run_search_job, timeout=1800), func(embed_search_documents, timeout=600)]

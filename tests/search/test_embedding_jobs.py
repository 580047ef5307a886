"""A burst of indexed records queues one embedding job per tenant and window, not one per record."""

from __future__ import annotations

import uuid

from arq import create_pool
from arq.connections import RedisSettings

from resolvers.search.subscriber import EMBED_FUNCTION, queue_embedding


async def test_a_burst_of_writes_queues_one_embedding_job_per_window(settings):
    queue = f"crmgraph:test:embed:{uuid.uuid4().hex[:8]}"
    pool = await create_pool(RedisSettings.from_dsn(settings.redis_url), default_queue_name=queue)
    try:
        tenants = [str(uuid.uuid4()), str(uuid.uuid4())]
        for _ in range(50):
            for tenant in tenants:
                await queue_embedding(pool, tenant)
        jobs = await pool.queued_jobs(queue_name=queue)
        per_tenant = {
            t: [j for j in jobs if j.function == EMBED_FUNCTION and j.args == (t,)] for t in tenants
        }
        # one job each (two when the burst crossed a window boundary), deferred to its window's end
        assert all(1 <= len(found) <= 2 for found in per_tenant.values()), per_tenant
    finally:
        await pool.delete(queue)
        await pool.aclose()

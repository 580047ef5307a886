"""The floor ``bench.webhooks`` compares the worker against: one asyncio process with asyncpg and an
aiohttp client doing the least a webhook dispatcher must — no ORM, no arq, no delivery or attempt rows.

Each batch loop, in one transaction: claims up to ``BATCH_SIZE`` due pending events of the outbox
(``FOR UPDATE SKIP LOCKED``, oldest first, the worker's own claim), signs each body (the worker's
envelope; Standard Webhooks headers ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature:
v1,<base64 HMAC-SHA256 of "id.timestamp.body">``, hmac from the standard library), POSTs them to the
endpoint with at most ``--concurrency`` requests in flight (the worker's ``WORKER_MAX_JOBS``), and
marks the batch dispatched with one UPDATE. ``MAX_BATCHES`` loops run at once, as in a worker process;
an idle loop looks again after 20 ms. Any failed POST stops the process.

``python -m bench.raw_dispatcher --dsn D --url U --secret whsec_... --endpoint ID --concurrency N``
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid

import aiohttp
import asyncpg

from resolvers.webhooks.fanout import message_id
from resolvers.webhooks.sender import envelope
from workers.events import BATCH_SIZE, MAX_BATCHES

CLAIM_SQL = """
SELECT id, name, payload, created_at FROM outbox_events
WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= now())
ORDER BY created_at
LIMIT $1
FOR UPDATE SKIP LOCKED
"""
DISPATCHED_SQL = """
UPDATE outbox_events SET status = 'dispatched', dispatched_at = now(), attempts = attempts + 1,
    next_attempt_at = NULL
WHERE id = ANY($1::uuid[])
"""
IDLE = 0.02


def signature(key: bytes, ident: str, timestamp: str, body: str) -> str:
    digest = hmac.new(key, f"{ident}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


async def run(dsn: str, url: str, secret: str, endpoint: uuid.UUID, concurrency: int) -> None:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    limit = asyncio.Semaphore(concurrency)

    async def post(client: aiohttp.ClientSession, event: asyncpg.Record) -> None:
        ident = message_id(event["id"], endpoint)
        body = envelope(event["name"], json.loads(event["payload"]), event["created_at"])
        timestamp = str(int(time.time()))
        headers = {
            "content-type": "application/json",
            "webhook-id": ident,
            "webhook-timestamp": timestamp,
            "webhook-signature": signature(key, ident, timestamp, body),
        }
        async with limit, client.post(url, data=body.encode(), headers=headers) as response:
            await response.read()
            response.raise_for_status()

    async def batches(pool: asyncpg.Pool, client: aiohttp.ClientSession) -> None:
        while True:
            async with pool.acquire() as conn, conn.transaction():
                events = await conn.fetch(CLAIM_SQL, BATCH_SIZE)
                if events:
                    await asyncio.gather(*(post(client, e) for e in events))
                    await conn.execute(DISPATCHED_SQL, [e["id"] for e in events])
            if not events:
                await asyncio.sleep(IDLE)

    connector = aiohttp.TCPConnector(limit=100)
    async with (
        asyncpg.create_pool(dsn, min_size=MAX_BATCHES, max_size=MAX_BATCHES) as pool,
        aiohttp.ClientSession(connector=connector) as client,
    ):
        await asyncio.gather(*(batches(pool, client) for _ in range(MAX_BATCHES)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--endpoint", type=uuid.UUID, required=True)
    parser.add_argument("--concurrency", type=int, required=True)
    args = parser.parse_args()
    asyncio.run(run(args.dsn, args.url, args.secret, args.endpoint, args.concurrency))


if __name__ == "__main__":
    main()

"""Sales benchmark (not a test): order creation throughput with 10 lines each (an order, then ten
line creations, each recalculating the totals: 11 requests per order), and the in-process cost of one
recalculation of a 10-line order. The app runs as ``crmgraph serve``, beside the raw floor
(``bench.raw_server sales``, as many processes: the same 11 requests, each one asyncpg transaction —
the order number from the same counter upsert, the line insert and one ``UPDATE ... FROM (SELECT
sum(...))`` of the totals; see its docstring); the client runs as its own process and drives both in
alternating rounds. Printed: orders/s and req/s of both and served ÷ raw.

Run: ``python -m bench.sales`` (``--orders`` per side, ``--concurrency``, ``--workers``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import queue
import statistics
import time
import timeit
import uuid
from decimal import Decimal
from typing import Any

import asyncpg

from bench.customers import EMAIL, PASSWORD, seed_scope
from bench.harness import alternate, drop_scratch, http, plain_dsn, scratch_settings, served_and_raw
from crmgraph.config import Settings
from crmgraph.db import engine_for, session_factory
from crmgraph.setup import migrate
from resolvers.sales.totals import AdjustmentIn, LineIn, compute

LINES = 10


SERVED_PATHS = ("/api/sales/orders", "/api/sales/order-lines")
RAW_PATHS = ("/orders", "/order-lines")
ROUNDS = 3


async def _create_orders(
    base: str, headers: dict[str, str], paths: tuple[str, str], orders: int, concurrency: int
) -> dict[str, Any]:
    """``orders`` orders of ``LINES`` lines each: seconds taken and per-order latencies."""
    from aiohttp import ClientSession

    orders_url, lines_url = (base + path for path in paths)
    latencies: list[float] = []
    todo = list(range(orders))

    async def worker(http_: Any) -> None:
        while todo:
            todo.pop()
            started = time.perf_counter()
            async with http_.post(orders_url, json={"currencyCode": "PLN"}) as response:
                assert response.status == 201, await response.text()
                order = (await response.json())["id"]
            for n in range(LINES):
                body = {
                    "orderId": order,
                    "name": f"Part {n}",
                    "quantity": "2",
                    "unitPriceNet": "19.99",
                    "taxRate": "23",
                }
                async with http_.post(lines_url, json=body) as response:
                    assert response.status == 201, await response.text()
            latencies.append(time.perf_counter() - started)

    async with ClientSession(headers=headers) as http_:
        started = time.perf_counter()
        await asyncio.gather(*(worker(http_) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"orders": orders, "seconds": elapsed, "latencies": latencies}


def _client(
    base: str, headers: dict[str, str], paths: tuple[str, str], orders: int, concurrency: int, out: Any
) -> None:
    out.put(asyncio.run(_create_orders(base, headers, paths, orders, concurrency)))


def client_process(
    base: str, headers: dict[str, str], paths: tuple[str, str], orders: int, concurrency: int
) -> dict[str, Any]:
    """Run the order-creating client in its own process."""
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    child = context.Process(target=_client, args=(base, headers, paths, orders, concurrency, out))
    child.start()
    while True:  # a client that failed puts nothing: do not wait for it
        try:
            result = out.get(timeout=1)
            break
        except queue.Empty:
            if not child.is_alive():
                raise RuntimeError(f"the order client exited with {child.exitcode}") from None
    child.join(timeout=30)
    return result


def summary(runs: list[dict[str, Any]]) -> dict[str, float]:
    orders = sum(r["orders"] for r in runs)
    seconds = sum(r["seconds"] for r in runs)
    latencies = sorted(latency for r in runs for latency in r["latencies"])
    return {
        "orders_per_s": orders / seconds,
        "requests_per_s": orders * (LINES + 1) / seconds,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


def recalculation_us(repeat: int = 2000) -> float:
    """Microseconds per ``compute`` of a 10-line order with a percentage and a fixed adjustment."""
    lines = [
        LineIn(
            Decimal("2"),
            Decimal("19.99"),
            tax_rate=Decimal("23" if n % 2 else "8"),
            discount_percent=Decimal("5"),
            key=n,
        )
        for n in range(LINES)
    ]
    adjustments = [
        AdjustmentIn("discount", rate=Decimal("10")),
        AdjustmentIn("shipping", amount_net=Decimal("15")),
    ]
    best = min(timeit.repeat(lambda: compute(lines, adjustments, places=2), number=repeat, repeat=5))
    return best / repeat * 1e6


async def seed(settings: Settings) -> tuple[uuid.UUID, uuid.UUID]:
    """The bench tenant and the admin's organization (where the orders go)."""
    async with engine_for(settings.database_url) as engine:
        tenant_id, orgs, _ = await seed_scope(session_factory(engine))
    return tenant_id, orgs[0]


async def order_totals(settings: Settings) -> list[tuple[int, Decimal, Decimal]]:
    """The distinct (lines, net, gross) of every order written, served or raw: one row when both
    sides computed the same totals."""
    conn = await asyncpg.connect(plain_dsn(settings))
    try:
        rows = await conn.fetch(
            "SELECT DISTINCT line_item_count, grand_total_net_amount, grand_total_gross_amount"
            " FROM sales_orders ORDER BY 1, 2, 3"
        )
    finally:
        await conn.close()
    return [tuple(r) for r in rows]


def main(orders: int, concurrency: int, workers: int) -> None:
    print(f"recalculation of a {LINES}-line order, in process: {recalculation_us():.1f} µs")
    settings = scratch_settings("sales")
    migrate(settings)
    try:
        tenant_id, org_id = asyncio.run(seed(settings))
        with served_and_raw(settings, workers, "sales", tenant_id, org=org_id) as (served, raw):
            token = http("POST", f"{served}/api/auth/login", {"email": EMAIL, "password": PASSWORD})["token"]
            jwt = {"Authorization": f"Bearer {token}"}
            warm_up = max(4, orders // 10)
            client_process(served, jwt, SERVED_PATHS, warm_up, concurrency)
            client_process(raw, {}, RAW_PATHS, warm_up, concurrency)
            per_round = max(1, orders // ROUNDS)
            mine, floor = alternate(
                lambda: client_process(served, jwt, SERVED_PATHS, per_round, concurrency),
                lambda: client_process(raw, {}, RAW_PATHS, per_round, concurrency),
                ROUNDS,
            )
        figures = {"served": summary(mine), "raw": summary(floor)}
        print(
            f"order creation with {LINES} lines ({per_round * ROUNDS} orders per side in {ROUNDS} alternating"
            f" rounds, concurrency {concurrency}; `crmgraph serve --workers {workers}` vs raw aiohttp +"
            f" asyncpg, {workers} processes)"
        )
        print(f"{'':<8} {'orders/s':>9} {'req/s':>8} {'p50 ms/order':>13} {'p99 ms/order':>13}")
        for name, f in figures.items():
            print(
                f"{name:<8} {f['orders_per_s']:9.1f} {f['requests_per_s']:8.0f}"
                f" {f['p50_ms']:13.0f} {f['p99_ms']:13.0f}"
            )
        ratio = figures["served"]["orders_per_s"] / figures["raw"]["orders_per_s"]
        print(f"served/raw {ratio:.2f}x (orders/s and req/s alike: 11 requests per order on both sides)")
        print(json.dumps(figures))
        print("order totals (lines, net, gross), both sides:", asyncio.run(order_totals(settings)))
    finally:
        asyncio.run(drop_scratch(settings))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    main(args.orders, args.concurrency, args.workers)

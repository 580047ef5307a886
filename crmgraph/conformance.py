"""Walk the documented catalog against the running app and report coverage per operation.

For each operation: is a real handler registered; does it answer 401 without credentials when the
catalog says a bearer token is needed; and, when the documented example request succeeds (2xx), does
the response carry the documented top-level keys (and item keys for lists)?
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, DummyCookieJar

from crmgraph.catalog import operations

LOGOUT_PATHS = {"/auth/logout"}


@dataclass
class Check:
    module: str
    method: str
    path: str
    served: bool = False
    auth_ok: bool = True
    status: int | None = None
    missing_keys: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def covered(self) -> bool:
        return self.served and self.auth_ok and not self.missing_keys and (self.status or 0) < 500


def _example_body(op: dict[str, Any]) -> dict[str, Any]:
    example = op.get("request_example")
    if example is None:
        return {}
    if isinstance(example, str) and op.get("request_content_type") == "application/x-www-form-urlencoded":
        return {"data": example, "headers": {"Content-Type": "application/x-www-form-urlencoded"}}
    return {"data": json.dumps(example), "headers": {"Content-Type": "application/json"}}


def _missing_keys(documented: Any, actual: Any) -> list[str]:
    if not isinstance(documented, dict) or not documented:
        return []
    if not isinstance(actual, dict):
        return ["<object>"]
    missing = [k for k in documented if k not in actual]
    items_doc, items_actual = documented.get("items"), actual.get("items")
    if isinstance(items_doc, list) and items_doc and isinstance(items_actual, list) and items_actual:
        missing += [f"items[].{k}" for k in _missing_keys(items_doc[0], items_actual[0])]
    return missing


async def check_all(base_url: str, login: dict[str, str], registered: set[tuple[str, str]]) -> list[Check]:
    results: list[Check] = []
    async with ClientSession(base_url, cookie_jar=DummyCookieJar()) as http:

        async def token() -> str:
            async with http.post("/api/auth/login", data=login) as response:
                return (await response.json())["token"]

        bearer = await token()
        ordered = sorted(operations(), key=lambda op: op["path"] in LOGOUT_PATHS)
        for op in ordered:
            check = Check(
                op["module"], op["method"], op["path"], served=(op["method"], op["path"]) in registered
            )
            results.append(check)
            if not check.served:
                continue
            url = "/api" + (op.get("example_url") or op["path"])
            if op.get("auth"):
                async with http.request(op["method"], url, allow_redirects=False) as response:
                    check.auth_ok = response.status == 401
                    if not check.auth_ok:
                        check.note = f"without token: {response.status}"
            kwargs = _example_body(op)
            headers = {"Authorization": f"Bearer {bearer}", **kwargs.pop("headers", {})}
            async with http.request(
                op["method"], url, headers=headers, allow_redirects=False, **kwargs
            ) as resp:
                check.status = resp.status
                if 200 <= resp.status < 300 and "json" in (resp.content_type or ""):
                    body = await resp.json()
                    examples = op.get("response_examples") or [{}]
                    check.missing_keys = _missing_keys(examples[0], body)
            if op["path"] in LOGOUT_PATHS:
                bearer = await token()
    return results


def summary(results: list[Check]) -> str:
    covered = [r for r in results if r.covered]
    lines = [f"conformance: {len(covered)}/{len(results)} operations"]
    by_module = Counter(r.module for r in results)
    ok_module = Counter(r.module for r in covered)
    for module in sorted(by_module):
        lines.append(f"  {module:<20} {ok_module[module]:>4}/{by_module[module]}")
    missing = [r for r in results if not r.covered]
    if missing:
        lines.append("not covered:")
        for r in missing:
            why = "no handler" if not r.served else (r.note or f"status {r.status} missing {r.missing_keys}")
            lines.append(f"  {r.method:<6} {r.path}  ({why})")
    return "\n".join(lines)


async def run_scratch(settings: Any) -> list[Check]:
    """Migrate + seed a scratch database, serve the app on a free local port, check every operation."""
    from dataclasses import replace

    from aiohttp.test_utils import TestServer
    from sqlalchemy.engine import make_url

    from crmgraph.app import create_app
    from crmgraph.db import drop_database
    from crmgraph.setup import migrate, seed_installation

    url = make_url(settings.database_url)
    scratch = replace(
        settings,
        database_url=url.set(database=f"{url.database}_conformance").render_as_string(hide_password=False),
        queue_name=settings.queue_name + ":conformance",
    )
    await asyncio.to_thread(migrate, scratch)
    try:
        await seed_installation(scratch)
        app = create_app(scratch)
        server = TestServer(app)
        await server.start_server()
        try:
            login = {"email": scratch.admin_email, "password": scratch.admin_password}
            return await check_all(str(server.make_url("/")), login, served_operations(app))
        finally:
            await server.close()
    finally:
        await drop_database(scratch.database_url)


API_PREFIX = "/api"


def served_operations(app: Any) -> set[tuple[str, str]]:
    """(method, documented path) of every route the app serves under ``/api``."""
    served = set()
    for route in app.router.routes():
        path = route.resource.canonical if route.resource is not None else ""
        if path.startswith(API_PREFIX + "/"):
            served.add((route.method, path[len(API_PREFIX) :]))
    return served


def run_cli(settings: Any) -> int:
    results = asyncio.run(run_scratch(settings))
    print(summary(results))
    sys.stdout.flush()
    return 0

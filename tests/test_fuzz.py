"""schemathesis over the served API: every operation of ``/api/docs/openapi.json`` and every root field
of ``/graphql``, with valid and invalid data, as an authenticated tenant admin. The bar: no 5xx, and
no masked ("Unexpected error.") GraphQL error. Examples per operation: ``FUZZ_EXAMPLES`` (default 12,
per generation mode); runs are derandomized (reproducible) unless ``FUZZ_RANDOM=1``.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from typing import Any

import graphql
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.graphql import nodes

from schema.errors import MASKED
from tests.factories import PASSWORD, World

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
# Each API is fuzzed in shards (operations dealt round-robin), scheduled one by one under
# pytest-xdist (tests/conftest.py), so parallel workers share the longest tests of the suite.
SHARDS = {"openapi": 4, "graphql": 2}
TIMINGS: dict[str, float] = {}  # seconds per operation label (``FUZZ_TIMINGS=1`` prints the slowest)
SCHEMA_TIMEOUT = 120  # seconds: the first introspection builds the whole schema, slow on a busy machine
ONLY = [part for part in os.environ.get("FUZZ_ONLY", "").split(",") if part]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=os.environ.get("FUZZ_RANDOM") != "1",
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    print_blob=True,
)


def _json_value_node(value: Any) -> Any:
    if isinstance(value, dict):
        return nodes.Object(
            [
                graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=_json_value_node(v))
                for k, v in value.items()
            ]
        )
    if isinstance(value, bool):
        return nodes.Boolean(value)
    if isinstance(value, int):
        return nodes.Int(value)
    return nodes.String(value)


JSON_VALUES = st.dictionaries(
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True),
    st.text(max_size=20) | st.integers(-(2**31), 2**31 - 1) | st.booleans(),
    max_size=4,
)
schemathesis.graphql.scalar("JSON", JSON_VALUES.map(_json_value_node))
# Exact numbers travel as strings: any decimal (in or out of a column's bounds) or any text.
DECIMALS = st.decimals(allow_nan=False, allow_infinity=False) | st.text(max_size=30)
schemathesis.graphql.scalar("Decimal", DECIMALS.map(lambda value: nodes.String(str(value))))


def login(base_url: str, email: str) -> dict[str, str]:
    """A fresh session per operation: some operations (logout, profile) may end the previous one."""
    response = requests.post(f"{base_url}/api/auth/login", data={"email": email, "password": PASSWORD})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}


def no_5xx(ctx: Any, response: Any, case: Any) -> None:
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"


def no_graphql_server_error(ctx: Any, response: Any, case: Any) -> None:
    """Every unexpected exception is masked as ``MASKED`` (domain errors are answers, with a status in
    their extensions); a null in a non-null field breaks the schema contract."""
    try:
        errors = response.json().get("errors") or []
    except ValueError:
        return None
    broken = [
        e
        for e in errors
        if e.get("message") == MASKED or "Cannot return null for non-nullable" in e.get("message", "")
    ]
    assert not broken, f"server error {broken} for {case.body!r}"
    return None


def property_test(
    operation: Any, mode: GenerationMode, base_url: str, headers: dict[str, str], checks: list[Callable]
) -> Callable[[], None]:
    @HYPOTHESIS
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        response = case.call(base_url=base_url, headers=headers, timeout=30)
        case.validate_response(response, checks=checks)

    return run


def streams(operation: Any) -> bool:
    """A server-sent event stream (OpenAPI: its success answer is ``text/event-stream``)."""
    raw = getattr(getattr(operation, "definition", None), "raw", None)
    if not isinstance(raw, dict):
        return False  # a GraphQL field
    return any(
        "text/event-stream" in (answer or {}).get("content", {})
        for answer in raw.get("responses", {}).values()
    )


def fuzz(schema: Any, base_url: str, email: str, checks: list[Callable], shard: tuple[int, int]) -> list[str]:
    """Run the operations of ``schema`` in shard ``(index, count)`` (every ``count``-th, from ``index``)
    in both generation modes; failures as readable lines."""
    failures: list[str] = []
    index, count = shard
    for position, result in enumerate(schema.get_all_operations()):
        operation = result.ok()
        if position % count != index:
            continue
        if ONLY and not any(part.lower() in operation.label.lower() for part in ONLY):
            continue
        if streams(operation):
            continue  # never ends by design; its input checks are tests/test_bad_input.py's
        headers = login(base_url, email)
        started = time.monotonic()
        for mode in MODES:
            try:
                property_test(operation, mode, base_url, headers, checks)()
            except Unsatisfiable:
                continue  # nothing invalid can be expressed for this operation (no inputs)
            except Exception as exc:  # one failing operation must not hide the others
                failures.append(f"{operation.label} [{mode.value}]: {str(exc)[:1500]}")
        TIMINGS[operation.label] = time.monotonic() - started
    return failures


@pytest.mark.parametrize("shard", range(SHARDS["openapi"]))
async def test_openapi_operations_never_fail_on_the_server(client: Any, world: World, shard: int) -> None:
    base_url = str(client.make_url("")).rstrip("/")

    def run() -> list[str]:
        schema = schemathesis.openapi.from_url(f"{base_url}/api/docs/openapi.json", timeout=SCHEMA_TIMEOUT)
        assert len(list(schema.get_all_operations())) >= 109
        return fuzz(schema, base_url, world.admin_email, [not_a_server_error], (shard, SHARDS["openapi"]))

    failures = await asyncio.to_thread(run)
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("shard", range(SHARDS["graphql"]))
async def test_graphql_fields_never_fail_on_the_server(client: Any, world: World, shard: int) -> None:
    base_url = str(client.make_url("")).rstrip("/")

    def run() -> list[str]:
        schema = schemathesis.graphql.from_url(
            f"{base_url}/graphql", headers=login(base_url, world.admin_email), timeout=SCHEMA_TIMEOUT
        )
        # schemathesis counts any resolver error as a server failure; ours are answers (400/404...)
        return fuzz(
            schema, base_url, world.admin_email, [no_5xx, no_graphql_server_error], (shard, SHARDS["graphql"])
        )

    failures = await asyncio.to_thread(run)
    assert not failures, "\n\n".join(failures)


def teardown_module() -> None:
    if os.environ.get("FUZZ_TIMINGS") == "1":
        print(f"{len(TIMINGS)} operations, {sum(TIMINGS.values()):.1f}s")
        for label, seconds in sorted(TIMINGS.items(), key=lambda item: -item[1])[:15]:
            print(f"{seconds:8.2f}s  {label}")

"""Tenant isolation across every declared entity: another tenant's ids read as missing, never leak."""

from __future__ import annotations

import inspect
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from openapi_compat.mount import register_routes
from openapi_compat.routing import REGISTRY
from resolvers.entity import ENTITIES, Entity
from tests.conftest import login
from tests.factories import make_world
from tests.sales.graph import SALES_SAMPLES

register_routes()  # every module's routes, entities and operations


async def _comment(tag: str, world: Any, owner: Any) -> dict[str, Any]:
    """A comment needs a customer (checked by its hook, not declared as a required field)."""
    status, person = await owner.post("/api/customers/people", await build(ENTITIES["person"], tag, owner))
    assert status == 201, person
    return {"entityId": person["id"], "body": f"iso-{tag}"}


async def _exchange_rate(tag: str, world: Any, owner: Any) -> dict[str, Any]:
    """A rate needs its two currencies in the owner's organization."""
    for code in ("EUR", "PLN"):
        assert (await owner.post("/api/currencies/currencies", {"code": code, "name": code}))[0] in (201, 409)
    return {"fromCurrencyCode": "EUR", "toCurrencyCode": "PLN", "rate": "4.2537"}


async def _catalog_offer(tag: str, world: Any, owner: Any) -> dict[str, Any]:
    """An offer puts a product on a sales channel (the sales module's; any id here)."""
    status, product = await owner.post("/api/catalog/products", {"title": f"iso-{tag}"})
    assert status == 201, product
    return {"productId": product["id"], "channelId": str(uuid.uuid4())}


async def _catalog_price(tag: str, world: Any, owner: Any) -> dict[str, Any]:
    """A price needs a product, a price kind and an ISO currency code."""
    status, kind = await owner.post("/api/catalog/price-kinds", {"code": f"iso-{tag}", "title": "Iso"})
    assert status == 201, kind
    return {
        **await _catalog_offer(tag, world, owner),
        "priceKindId": kind["id"],
        "currencyCode": "PLN",
        "unitPriceNet": "1",
    }


async def _staff_leave_request(tag: str, world: Any, owner: Any) -> dict[str, Any]:
    """A leave request needs a member and a real time zone."""
    status, member = await owner.post("/api/staff/team-members", {"displayName": f"iso-{tag}"})
    assert status == 201, member
    when = "2030-01-01T00:00:00.000Z"
    return {"memberId": member["id"], "timezone": "UTC", "startDate": when, "endDate": when}


# Entities whose create needs more than generated scalars: payload builders by entity name.
SAMPLES: dict[str, Any] = {
    "user": lambda tag, world, owner: {"email": f"iso-{tag}@example.com", "password": "secret-pass"},
    "comment": _comment,
    "currency": lambda tag, world, owner: {"code": "ISO", "name": f"iso-{tag}"},
    "exchange_rate": _exchange_rate,
    "invoice": lambda tag, world, owner: {
        "documentNumber": f"ISO/{tag}",
        "lineItems": [{"name": "iso", "unitNetPrice": "10.00", "vatRate": "23"}],
    },
    "checkout_template": lambda tag, world, owner: {"title": f"iso-{tag}", "amount": "1.00"},
    "checkout_link": lambda tag, world, owner: {"title": f"iso-{tag}", "amount": "1.00"},
    "catalog_offer": _catalog_offer,
    "catalog_price": _catalog_price,
    "scheduled_job": lambda tag, world, owner: {
        "name": f"iso-{tag}",
        "scheduleType": "interval",
        "scheduleValue": "1h",
        "targetQueue": "scheduler_echo",
    },
    "availability_rule_set": lambda tag, world, owner: {"name": f"iso-{tag}", "timezone": "UTC"},
    "availability_rule": lambda tag, world, owner: {
        "subjectType": "member",
        "subjectId": str(uuid.uuid4()),
        "timezone": "UTC",
        "rrule": "RRULE:FREQ=DAILY",
    },
}
SAMPLES.update(SALES_SAMPLES)
SAMPLES["staff_leave_request"] = _staff_leave_request
SAMPLES["data_sync_mapping"] = lambda tag, world, owner: {
    "name": f"iso-{tag}",
    "entity": "person",
    "direction": "export",
    "fieldMap": {"first": "firstName"},
}


async def generated_payload(entity: Entity, tag: str, owner: Any) -> dict[str, Any]:
    """Scalars for required fields; a required reference is satisfied by creating its target first
    (found through the entity's ``one`` relation on that column)."""
    values: dict[type, Any] = {
        str: f"iso-{tag}",
        int: 1,
        float: 1.5,
        Decimal: "1.5",
        bool: True,
        dict: {},
        list: [],
    }
    payload = {}
    for f in entity.fields:
        if not (f.create and f.required):
            continue
        if f.type is datetime:
            payload[f.camel] = datetime.now().isoformat()
        elif f.type is uuid.UUID:
            relation = next((r for r in entity.relations if r.kind == "one" and r.source_fk == f.attr), None)
            assert relation, f"{entity.name}.{f.attr}: declare its relation or add a SAMPLES builder"
            target = ENTITIES[relation.target]
            status, created = await owner.post(f"/api{target.path}", await build(target, tag, owner))
            assert status == 201, created
            payload[f.camel] = created["id"]
        else:
            payload[f.camel] = values[f.type]
    return payload


async def build(entity: Entity, tag: str, owner: Any, world: Any = None) -> dict[str, Any]:
    builder = SAMPLES.get(entity.name)
    if builder is None:
        return await generated_payload(entity, tag, owner)
    payload = builder(tag, world, owner)
    return await payload if inspect.isawaitable(payload) else payload


def writable_entities() -> list[Entity]:
    """Every listable entity that belongs to a tenant and is created at its own path (rows written
    only by commands, such as payment transactions, have their module's isolation tests)."""
    return [
        e
        for e in ENTITIES.values()
        if e.path and "GET" in e.rest_verbs and ("POST", e.path) in REGISTRY and hasattr(e.model, "tenant_id")
    ]


@pytest.mark.parametrize("entity", writable_entities(), ids=lambda e: e.name)
async def test_other_tenant_cannot_see_or_touch(client, sessionmaker, entity: Entity):
    home = await make_world(sessionmaker)
    away = await make_world(sessionmaker)
    owner = await login(client, home.admin_email)
    intruder = await login(client, away.admin_email)
    tag = uuid.uuid4().hex[:8]
    status, created = await owner.post(f"/api{entity.path}", await build(entity, tag, owner, home))
    assert status == 201, created
    record_id = created["id"]

    status, page = await intruder.get(f"/api{entity.path}?ids={record_id}")
    assert status == 200 and page["items"] == [] and page.get("total", 0) == 0
    status, page = await intruder.get(f"/api{entity.path}?pageSize=100")
    assert record_id not in {item["id"] for item in page["items"]}
    if "PUT" in entity.rest_verbs:
        assert (await intruder.put(f"/api{entity.path}", {"id": record_id}))[0] == 404
    if "DELETE" in entity.rest_verbs or entity.path == "/api_keys/keys":
        assert (await intruder.delete(f"/api{entity.path}?id={record_id}"))[0] == 404
    # Smuggling the victim tenant into a create is refused.
    smuggled = {**await build(entity, tag + "x", intruder, away), "tenantId": str(home.tenant_id)}
    assert (await intruder.post(f"/api{entity.path}", smuggled))[0] == 403
    # GraphQL detail of a foreign id is null, not an error that confirms existence.
    field = entity.graphql_name[0].lower() + entity.graphql_name[1:]
    result = await intruder.gql(f'{{ {field}(id: "{record_id}") {{ id }} }}')
    assert result["data"][field] is None
    # The owner still sees the record untouched.
    status, page = await owner.get(f"/api{entity.path}?ids={record_id}")
    assert [item["id"] for item in page["items"]] == [record_id]


async def test_super_admin_of_one_tenant_cannot_switch_tenant(client, sessionmaker):
    home = await make_world(sessionmaker)
    away = await make_world(sessionmaker)
    intruder = await login(client, away.admin_email)
    status, page = await intruder.get(
        "/api/auth/users", headers={"Cookie": f"om_selected_tenant={home.tenant_id}"}
    )
    assert status == 200
    assert {u["tenantId"] for u in page["items"]} == {str(away.tenant_id)}
    status, page = await intruder.get(
        "/api/directory/organizations", headers={"Cookie": f"om_selected_tenant={home.tenant_id}"}
    )
    assert {o["tenantId"] for o in page["items"]} == {str(away.tenant_id)}
    status, _ = await intruder.get(f"/api/auth/roles/acl?roleId={home.role_ids['superadmin']}")
    assert status == 404


async def test_platform_admin_may_switch_tenant(client, sessionmaker, platform):
    home = await make_world(sessionmaker)
    status, page = await platform.get(
        "/api/auth/users", headers={"Cookie": f"om_selected_tenant={home.tenant_id}"}
    )
    assert status == 200 and {u["tenantId"] for u in page["items"]} == {str(home.tenant_id)}

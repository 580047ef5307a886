"""Tags (+assign/unassign), activities, comments, addresses and todos bound to customers."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import login
from tests.customers.conftest import Customers
from tests.factories import make_world


async def test_tags_crud_assign_and_unassign(crm, admin):
    status, body = await admin.post("/api/customers/tags", {"label": "Key Account", "color": "#00ff00"})
    assert status == 201
    tag = body["id"]
    item = (await crm.list("tags", ids=tag))["items"][0]
    assert item["slug"] == "key-account" and {
        "label",
        "color",
        "description",
        "organization_id",
        "tenant_id",
    } <= set(item)
    assert (await admin.post("/api/customers/tags", {"label": "Dup", "slug": "key-account"}))[0] == 409
    assert await admin.put("/api/customers/tags", {"id": tag, "label": "Key accounts"}) == (200, {"ok": True})
    assert await crm.ids("tags", search="accounts") == {tag}

    person = await crm.person()
    status, first = await admin.post("/api/customers/tags/assign", {"tagId": tag, "entityId": person})
    assert status == 201 and first["id"]
    assert (await admin.post("/api/customers/tags/assign", {"tagId": tag, "entityId": person}))[1] == first
    _, detail = await admin.get(f"/api/customers/people/{person}")
    assert detail["tags"] == [{"id": tag, "label": "Key accounts", "color": "#00ff00"}]
    assert await crm.ids("people", tagIds=tag) == {person}

    assert await admin.post("/api/customers/tags/unassign", {"tagId": tag, "entityId": person}) == (
        200,
        first,
    )
    assert (await admin.post("/api/customers/tags/unassign", {"tagId": tag, "entityId": person}))[0] == 404
    assert await crm.ids("people", tagIds=tag) == set()
    assert (await admin.post("/api/customers/tags/assign", {"tagId": tag}))[0] == 400
    assert (await admin.post("/api/customers/tags/assign", {"tagId": tag, "entityId": str(uuid.uuid4())}))[
        0
    ] == 404

    # Deleting a tag drops it from the customers carrying it.
    await admin.post("/api/customers/tags/assign", {"tagId": tag, "entityId": person})
    assert await admin.delete(f"/api/customers/tags?id={tag}") == (200, {"ok": True})
    _, detail = await admin.get(f"/api/customers/people/{person}")
    assert detail["tags"] == []


async def test_tags_replace_on_write_and_scope(client, crm, admin, sessionmaker):
    a, b = await crm.create("tags", {"label": "A"}), await crm.create("tags", {"label": "B"})
    person = await crm.person(tags=[a])
    await admin.put("/api/customers/people", {"id": person, "tags": [b]})
    _, detail = await admin.get(f"/api/customers/people/{person}")
    assert [t["id"] for t in detail["tags"]] == [b]
    other = await make_world(sessionmaker)
    stranger = await login(client, other.admin_email)
    theirs = await Customers(stranger).create("tags", {"label": "Theirs"})
    assert (await admin.put("/api/customers/people", {"id": person, "tags": [theirs]}))[0] == 404
    assert (await stranger.post("/api/customers/tags/assign", {"tagId": theirs, "entityId": person}))[
        0
    ] == 404


async def test_activities_list_is_enriched(crm, admin):
    person = await crm.person()
    deal = await crm.deal("Fleet renewal", personIds=[person])
    await admin.post("/api/customers/dictionaries/activity-types", {"value": "call", "label": "Phone call"})
    status, body = await admin.post(
        "/api/customers/activities",
        {
            "entityId": person,
            "activityType": "call",
            "subject": "Intro",
            "dealId": deal,
            "occurredAt": "2025-03-01T10:00:00Z",
            "appearanceIcon": "phone",
        },
    )
    assert status == 201
    await crm.create("activities", {"entityId": person, "activityType": "email"})
    page = await crm.list("activities", entityId=person, activityType="call")
    assert page["total"] == 1
    item = page["items"][0]
    assert (
        item["id"] == body["id"]
        and item["dealTitle"] == "Fleet renewal"
        and item["activityTypeLabel"] == "Phone call"
    )
    assert item["authorEmail"] and item["authorUserId"] and item["appearanceIcon"] == "phone"
    assert await crm.ids("activities", dealId=deal) == {body["id"]}
    assert await admin.put("/api/customers/activities", {"id": body["id"], "appearanceColor": "#123456"}) == (
        200,
        {"ok": True},
    )
    assert await admin.delete("/api/customers/activities", json={"id": body["id"]}) == (200, {"ok": True})
    assert await crm.ids("activities", activityType="call") == set()


async def test_comments_author_and_deal_derivation(crm, admin):
    person = await crm.person()
    deal = await crm.deal("Deal with a person", personIds=[person])
    status, body = await admin.post("/api/customers/comments", {"entityId": person, "body": "First note"})
    assert status == 201 and body["authorUserId"]
    # A comment on a deal alone lands on the deal's first customer.
    status, derived = await admin.post("/api/customers/comments", {"dealId": deal, "body": "About the deal"})
    assert status == 201
    page = await crm.list("comments", entityId=person)
    assert {i["id"] for i in page["items"]} == {body["id"], derived["id"]}
    item = next(i for i in page["items"] if i["id"] == derived["id"])
    assert (
        item["deal_id"] == deal
        and item["entity_id"] == person
        and item["author_user_id"] == body["authorUserId"]
    )
    assert await crm.ids("comments", dealId=deal) == {derived["id"]}
    lonely = await crm.deal("No customer")
    assert (await admin.post("/api/customers/comments", {"dealId": lonely, "body": "x"}))[0] == 400
    assert (await admin.post("/api/customers/comments", {"entityId": person}))[0] == 400


async def test_addresses_single_primary(crm, admin):
    person = await crm.person()
    first = await crm.create("addresses", {"entityId": person, "addressLine1": "A 1", "isPrimary": True})
    second = await crm.create(
        "addresses",
        {
            "entityId": person,
            "addressLine1": "B 2",
            "city": "Kraków",
            "postalCode": "30-001",
            "isPrimary": True,
        },
    )
    page = await crm.list("addresses", entityId=person)
    primaries = {i["id"]: i["is_primary"] for i in page["items"]}
    assert primaries == {first: False, second: True}
    assert {"entity_id", "address_line1", "postal_code", "building_number", "organization_id"} <= set(
        page["items"][0]
    )
    assert (await admin.post("/api/customers/addresses", {"entityId": person}))[0] == 400
    assert await admin.put("/api/customers/addresses", {"id": first, "isPrimary": True}) == (
        200,
        {"ok": True},
    )
    assert {i["id"]: i["is_primary"] for i in (await crm.list("addresses", entityId=person))["items"]} == {
        first: True,
        second: False,
    }


async def test_todos_shape_and_updates(crm, admin):
    person = await crm.person("Tess", "Todo")
    status, body = await admin.post(
        "/api/customers/todos",
        {"entityId": person, "title": "Send offer", "todoSource": "example:todo", "priority": 2},
    )
    assert status == 201 and body["linkId"] == body["id"] and body["todoId"]
    page = await crm.list("todos", entityId=person)
    item = page["items"][0]
    assert (
        item["todoTitle"] == "Send offer"
        and item["todoSource"] == "example:todo"
        and item["todoPriority"] == 2
    )
    assert item["todoIsDone"] is False and item["customer"] == {
        "id": person,
        "displayName": "Tess Todo",
        "kind": "person",
    }
    assert item["todoId"] == body["todoId"] and item["createdAt"]
    assert await admin.put("/api/customers/todos", {"id": body["id"], "isDone": True}) == (200, {"ok": True})
    assert await crm.ids("todos", isDone="true") == {body["id"]}
    assert await crm.ids("todos", isDone="false") == set()
    _, detail = await admin.get(f"/api/customers/people/{person}?include=todos")
    assert detail["todos"][0]["isDone"] is True and detail["todos"][0]["todoId"] == body["todoId"]
    assert await admin.delete(f"/api/customers/todos?id={body['id']}") == (200, {"ok": True})
    assert await crm.ids("todos") == set()


@pytest.mark.parametrize(
    "path,body",
    [
        ("activities", {"activityType": "call"}),
        ("comments", {"body": "hi"}),
        ("addresses", {"addressLine1": "x"}),
        ("todos", {"title": "x"}),
        ("interactions", {"interactionType": "call"}),
    ],
)
async def test_records_need_a_customer_in_scope(client, crm, admin, world, sessionmaker, path, body):
    other = await make_world(sessionmaker)
    stranger = await login(client, other.admin_email)
    theirs = await Customers(stranger).person()
    assert (await admin.post(f"/api/customers/{path}", {**body, "entityId": theirs}))[0] == 404
    sibling = await crm.person(organizationId=str(world.other_org))
    employee = await login(client, world.emails["employee"])
    assert (await employee.post(f"/api/customers/{path}", {**body, "entityId": sibling}))[0] == 404
    # The record lives in its customer's organization, whatever organization the caller had selected.
    record = await crm.create(path, {**body, "entityId": sibling})
    listed = (await crm.list(path, ids=record))["items"][0]
    assert str(world.other_org) in (listed.get("organizationId"), listed.get("organization_id"))
    assert (await stranger.put(f"/api/customers/{path}", {"id": record}))[0] == 404
    assert (await employee.delete(f"/api/customers/{path}?id={record}"))[0] == 404

"""Custom field definitions govern the custom values of code entities (people here) and of custom
entity records: kinds, options and required fields on write, ``cf_`` filters in REST and GraphQL,
tombstones, and encryption at rest (unreadable in the table, readable through the API)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models.customers import Person
from models.entities import CustomEntityRecord
from tests.entities.conftest import TRACK_DAY, ok, record, track_day

PEOPLE = "customers:person"


async def person(api: Any, first: str, **custom: Any) -> str:
    body = {"firstName": first, "lastName": "Rider", **{f"cf_{k}": v for k, v in custom.items()}}
    return (await ok(api, "POST", "/api/customers/people", body, 201))["id"]


async def workshop_field(api: Any, **config: Any) -> None:
    definition = {"options": ["Warsaw", "Krakow"], "label": "Preferred workshop", **config}
    body = {"entityId": PEOPLE, "key": "preferred_workshop", "kind": "select", "configJson": definition}
    reply = await ok(api, "POST", "/api/entities/definitions", body)
    assert (
        reply["ok"]
        and reply["item"]["kind"] == "select"
        and reply["item"]["configJson"]["label"] == "Preferred workshop"
    )


async def test_a_defined_field_is_stored_and_filterable_in_rest_and_graphql(boss):
    await workshop_field(boss)
    await ok(
        boss, "POST", "/api/entities/definitions", {"entityId": PEOPLE, "key": "shoe_size", "kind": "integer"}
    )
    warsaw = await person(boss, "Ann", preferred_workshop="Warsaw", shoe_size="42")
    krakow = await person(boss, "Bob", preferred_workshop="Krakow", shoe_size=44)
    await person(boss, "Cid")

    page = await ok(boss, "GET", "/api/customers/people?cf_preferred_workshop=Warsaw")
    assert [i["id"] for i in page["items"]] == [warsaw]
    assert page["items"][0]["cf_preferred_workshop"] == "Warsaw" and page["items"][0]["cf_shoe_size"] == 42
    page = await ok(
        boss,
        "GET",
        "/api/customers/people?cf_preferred_workshopIn=Warsaw,Krakow&sortField=cf_shoe_size&sortDir=desc",
    )
    assert [i["id"] for i in page["items"]] == [krakow, warsaw]
    page = await ok(boss, "GET", "/api/customers/people?cf_shoe_size=44")  # coerced by kind: a number
    assert [i["id"] for i in page["items"]] == [krakow]

    query = """query($f: PersonFilter) { people(filter: $f) { total items { id customFields { key kind label value } } } }"""
    for executor in ("", " @include(if: true)"):  # compiled, then through the resolvers
        text = query.replace("items {", f"items{executor} {{") if executor else query
        result = await boss.gql(
            text, {"f": {"customFields": [{"key": "preferred_workshop", "eq": "Krakow"}]}}
        )
        people = result["data"]["people"]
        assert people["total"] == 1 and people["items"][0]["id"] == krakow
        fields = {f["key"]: f for f in people["items"][0]["customFields"]}
        assert fields["preferred_workshop"] == {
            "key": "preferred_workshop",
            "kind": "select",
            "label": "Preferred workshop",
            "value": "Krakow",
        }
        assert fields["shoe_size"]["value"] == 44
    result = await boss.gql(query, {"f": {"customFields": [{"key": "shoe_size", "in": ["42", "44"]}]}})
    assert result["data"]["people"]["total"] == 2


async def test_values_must_fit_their_definition(boss):
    await workshop_field(boss, required=True)
    await ok(
        boss, "POST", "/api/entities/definitions", {"entityId": PEOPLE, "key": "shoe_size", "kind": "integer"}
    )
    status, body = await boss.post(
        "/api/customers/people", {"firstName": "A", "lastName": "B", "cf_preferred_workshop": "Paris"}
    )
    assert status == 400 and body["details"][0]["path"] == ["cf_preferred_workshop"]
    status, body = await boss.post("/api/customers/people", {"firstName": "A", "lastName": "B"})
    assert status == 400 and body["details"][0]["code"] == "required"
    bad = {"firstName": "A", "lastName": "B", "cf_preferred_workshop": "Warsaw", "cf_shoe_size": "big"}
    status, body = await boss.post("/api/customers/people", bad)
    assert status == 400 and body["details"][0]["path"] == ["cf_shoe_size"]
    assert (await boss.get("/api/customers/people?cf_shoe_size=big"))[0] == 400  # filters are coerced too
    pid = await person(boss, "Ann", preferred_workshop="Warsaw")
    status, _ = await boss.put("/api/customers/people", {"id": pid, "cf_preferred_workshop": None})
    assert status == 400  # a required field cannot be removed
    assert (await boss.put("/api/customers/people", {"id": pid, "cf_note": "free keys stay free"}))[0] == 200


async def test_tombstones_stop_governing_and_restore_brings_the_field_back(boss):
    await workshop_field(boss, required=True)
    await ok(boss, "DELETE", "/api/entities/definitions", {"entityId": PEOPLE, "key": "preferred_workshop"})
    assert (await ok(boss, "GET", f"/api/entities/definitions?entityId={PEOPLE}"))["items"] == []
    managed = await ok(boss, "GET", f"/api/entities/definitions.manage?entityId={PEOPLE}")
    assert managed["deletedKeys"] == ["preferred_workshop"] and managed["items"][0]["deletedAt"]
    await person(boss, "Free")  # no longer required
    await ok(
        boss, "POST", "/api/entities/definitions.restore", {"entityId": PEOPLE, "key": "preferred_workshop"}
    )
    listed = await ok(boss, "GET", f"/api/entities/definitions?entityIds={PEOPLE},{TRACK_DAY}")
    assert [i["key"] for i in listed["items"]] == ["preferred_workshop"] and listed["items"][0]["required"]
    status, _ = await boss.call(
        "DELETE", "/api/entities/definitions", json={"entityId": PEOPLE, "key": "nothing"}
    )
    assert status == 404


async def test_definition_errors(boss, reader):
    status, body = await boss.post(
        "/api/entities/definitions", {"entityId": "nope", "key": "a", "kind": "text"}
    )
    assert status == 400
    status, body = await boss.post(
        "/api/entities/definitions", {"entityId": "user:unknown", "key": "a", "kind": "text"}
    )
    assert status == 400 and body["details"][0]["message"] == "Unknown entity"
    status, _ = await boss.post(
        "/api/entities/definitions", {"entityId": PEOPLE, "key": "a", "kind": "colour"}
    )
    assert status == 400
    status, _ = await boss.post(
        "/api/entities/definitions", {"entityId": PEOPLE, "key": "id", "kind": "text"}
    )
    assert status == 400
    rules = {"validation": [{"rule": "gt", "param": "x", "message": "m"}]}
    status, _ = await boss.post(
        "/api/entities/definitions", {"entityId": PEOPLE, "key": "a", "kind": "integer", "configJson": rules}
    )
    assert status == 400
    batch = {"entityId": PEOPLE, "definitions": [{"key": "a", "kind": "text"}, {"key": "a", "kind": "text"}]}
    assert (await boss.post("/api/entities/definitions.batch", batch))[0] == 400
    status, body = await reader.post(
        "/api/entities/definitions", {"entityId": PEOPLE, "key": "a", "kind": "text"}
    )
    assert status == 403 and body["requiredFeatures"] == ["entities.definitions.manage"]
    assert (await reader.get(f"/api/entities/definitions?entityId={PEOPLE}"))[
        0
    ] == 200  # any signed-in caller
    assert (await boss.get("/api/entities/definitions"))[0] == 400


async def test_validation_rules(boss):
    rules = [
        {"rule": "gte", "param": 1, "message": "At least one lap"},
        {"rule": "lte", "param": 99, "message": "Too many"},
    ]
    await track_day(boss)
    await ok(
        boss,
        "POST",
        "/api/entities/definitions",
        {"entityId": TRACK_DAY, "key": "laps", "kind": "integer", "configJson": {"validation": rules}},
    )
    status, body = await boss.post(
        "/api/entities/records", {"entityId": TRACK_DAY, "values": {"title": "T", "laps": 0}}
    )
    assert status == 400 and body["details"][0]["message"] == "At least one lap"
    await record(boss, {"title": "T", "laps": 12})


async def encrypted_track_day(boss: Any) -> None:
    await track_day(boss)
    fields = [{"field": "booking_code", "hashField": "booking_code_hash"}]
    assert (
        await ok(boss, "POST", "/api/entities/encryption", {"entityId": TRACK_DAY, "fields": fields})
    ) == {"ok": True}


async def raw_values(sessionmaker: Any, model: Any, ident: str) -> dict[str, Any]:
    async with sessionmaker() as session:
        row = await session.get(model, ident)
        return row.values if model is CustomEntityRecord else row.custom_fields


async def test_encrypted_fields_are_unreadable_in_the_table_and_readable_through_the_api(boss, sessionmaker):
    await encrypted_track_day(boss)
    rid = await record(boss, {"title": "Night ride", "booking_code": "ABC-123"})
    stored = await raw_values(sessionmaker, CustomEntityRecord, rid)
    assert "ABC-123" not in str(stored) and set(stored["booking_code"]) == {"__encrypted__"}
    assert stored["title"] == "Night ride" and len(stored["booking_code_hash"]) == 64

    page = await ok(boss, "GET", f"/api/entities/records?entityId={TRACK_DAY}&cf_booking_code=ABC-123")
    assert [(i["id"], i["booking_code"]) for i in page["items"]] == [(rid, "ABC-123")]
    assert (await ok(boss, "GET", f"/api/entities/records?entityId={TRACK_DAY}&cf_booking_code=nope"))[
        "items"
    ] == []
    query = "query($f: EntityRecordFilter) { entityRecords(filter: $f) { items { id customFields { key value } } } }"
    variables = {"f": {"entityId": TRACK_DAY, "customFields": [{"key": "booking_code", "eq": "ABC-123"}]}}
    items = (await boss.gql(query, variables))["data"]["entityRecords"]["items"]
    assert [i["id"] for i in items] == [rid]
    assert {f["key"]: f["value"] for f in items[0]["customFields"]}["booking_code"] == "ABC-123"

    # The encryption map is read back; an update re-seals, the record stays readable.
    assert (await ok(boss, "GET", f"/api/entities/encryption?entityId={TRACK_DAY}"))["fields"] == [
        {"field": "booking_code", "hashField": "booking_code_hash"}
    ]
    await ok(
        boss,
        "PUT",
        "/api/entities/records",
        {"entityId": TRACK_DAY, "recordId": rid, "values": {"booking_code": "XYZ-9"}},
    )
    assert "XYZ-9" not in str(await raw_values(sessionmaker, CustomEntityRecord, rid))
    page = await ok(boss, "GET", f"/api/entities/records?entityId={TRACK_DAY}&cf_booking_code=XYZ-9")
    assert [i["booking_code"] for i in page["items"]] == ["XYZ-9"]


async def test_a_new_encryption_map_seals_existing_values_of_a_code_entity(boss, sessionmaker):
    await ok(
        boss, "POST", "/api/entities/definitions", {"entityId": PEOPLE, "key": "passport", "kind": "text"}
    )
    pid = await person(boss, "Eve", passport="PL-123")
    assert (await raw_values(sessionmaker, Person, pid))["passport"] == "PL-123"
    await ok(
        boss, "POST", "/api/entities/encryption", {"entityId": PEOPLE, "fields": [{"field": "cf_passport"}]}
    )
    stored = await raw_values(sessionmaker, Person, pid)
    assert "PL-123" not in str(stored)
    page = await ok(boss, "GET", f"/api/customers/people?ids={pid}")  # the SQL-rendered list, opened
    assert page["items"][0]["cf_passport"] == "PL-123"
    status, body = await boss.get("/api/customers/people?cf_passport=PL-123")  # no hash field: no filter
    assert status == 400 and body["details"][0]["code"] == "encrypted"
    result = await boss.gql(f'{{ person(id: "{pid}") {{ customFields {{ key value }} }} }}')
    assert result["data"]["person"]["customFields"] == [{"key": "passport", "value": "PL-123"}]
    # Taking the field off the map opens the stored values again.
    await ok(boss, "POST", "/api/entities/encryption", {"entityId": PEOPLE, "fields": []})
    assert (await raw_values(sessionmaker, Person, pid))["passport"] == "PL-123"


async def test_a_sealed_value_does_not_open_in_another_tenant(boss, stranger, sessionmaker):
    await encrypted_track_day(boss)
    rid = await record(boss, {"title": "T", "booking_code": "SECRET"})
    sealed = (await raw_values(sessionmaker, CustomEntityRecord, rid))["booking_code"]
    await ok(stranger, "POST", "/api/entities/entities", {"entityId": "user:copy", "label": "Copy"})
    copied = await record(stranger, {"booking_code": sealed}, "user:copy")  # smuggled ciphertext, same key
    page = await ok(stranger, "GET", f"/api/entities/records?entityId=user:copy&ids={copied}")
    assert page["items"][0]["booking_code"] is None and "SECRET" not in str(page)


async def test_definitions_belong_to_their_tenant(boss, stranger):
    await workshop_field(boss, required=True)
    assert (await ok(stranger, "GET", f"/api/entities/definitions?entityId={PEOPLE}"))["items"] == []
    await person(stranger, "Free")  # the other tenant's required field does not apply here
    status, _ = await stranger.call(
        "DELETE", "/api/entities/definitions", json={"entityId": PEOPLE, "key": "preferred_workshop"}
    )
    assert status == 404
    managed = await ok(stranger, "GET", f"/api/entities/definitions.manage?entityId={PEOPLE}")
    assert managed == {"items": [], "deletedKeys": []}


async def test_an_organization_definition_overrides_the_tenant_one(boss, eworld, clerk):
    await workshop_field(boss)
    body = {
        "entityId": PEOPLE,
        "key": "preferred_workshop",
        "kind": "text",
        "organizationId": str(eworld.branch_org),
    }
    await ok(boss, "POST", "/api/entities/definitions", body)
    kinds = {
        i["key"]: i["kind"]
        for i in (await ok(clerk, "GET", f"/api/entities/definitions?entityId={PEOPLE}"))["items"]
    }
    assert kinds == {"preferred_workshop": "text"}  # the clerk works in the branch
    await person(clerk, "Free", preferred_workshop="Anywhere")
    status, _ = await boss.post(
        "/api/customers/people", {"firstName": "A", "lastName": "B", "cf_preferred_workshop": "Anywhere"}
    )
    assert status == 400  # at the root, the tenant's select applies
    other = {**body, "organizationId": "00000000-0000-4000-8000-000000000000"}
    assert (await boss.post("/api/entities/definitions", other))[0] == 400


async def test_raw_rows_keep_the_definitions_of_their_scope(boss, sessionmaker):
    """The policy's writes are what the table holds (normalized by kind)."""
    await track_day(boss)
    rid = await record(boss, {"title": "T", "laps": "7", "circuit": "Brno"})
    async with sessionmaker() as session:
        values = await session.scalar(select(CustomEntityRecord.values).where(CustomEntityRecord.id == rid))
    assert values == {"title": "T", "laps": 7, "circuit": "Brno"}

"""Dictionaries: written in the selected organization, inherited below it, the currency dictionary
protected, keys unique per organization; isolation between organizations and tenants."""

from __future__ import annotations

from tests.dictionaries.conftest import created, in_org, patch

DICTS = "/api/dictionaries"


async def test_create_read_and_inherit(boss, manager, xworld):
    made = await created(boss, DICTS, {"key": " Bike-Brands ", "name": " Bike brands ", "description": " "})
    assert made["key"] == "bike-brands" and made["name"] == "Bike brands" and made["description"] is None
    assert made["isInherited"] is False and made["isSystem"] is False and made["isActive"] is True
    assert made["managerVisibility"] == "default" and made["organizationId"] == str(xworld.root_org)
    assert (await boss.post(DICTS, {"key": "bike-brands", "name": "Again"}))[0] == 409

    # The branch reads the root's dictionary as inherited, but cannot change it.
    status, listing = await manager.get(DICTS)
    assert status == 200
    assert [(d["key"], d["isInherited"]) for d in listing["items"]] == [("bike-brands", True)]
    status, detail = await manager.get(f"{DICTS}/{made['id']}")
    assert status == 200 and detail["isInherited"] is True
    assert (await patch(manager, f"{DICTS}/{made['id']}", {"name": "Mine"}))[0] == 404
    assert (await manager.delete(f"{DICTS}/{made['id']}"))[0] == 404

    # The same key in the branch is its own dictionary; the root sees it below itself.
    own = await created(manager, DICTS, {"key": "bike-brands", "name": "Branch brands"})
    assert own["organizationId"] == str(xworld.branch_org) and own["isInherited"] is False
    names = [d["name"] for d in (await manager.get(DICTS))[1]["items"]]
    assert names == ["Bike brands", "Branch brands"]
    # A sibling organization inherits from the root but sees nothing of the branch.
    sibling = [d["id"] for d in (await in_org(boss, xworld.other_org).get(DICTS))[1]["items"]]
    assert sibling == [made["id"]]
    assert (await in_org(boss, xworld.other_org).get(f"{DICTS}/{own['id']}"))[0] == 404


async def test_update_deactivate_and_delete(boss):
    made = await created(boss, DICTS, {"key": "service-types", "name": "Service types"})
    path = f"{DICTS}/{made['id']}"
    status, body = await patch(boss, path, {"name": "Services", "managerVisibility": "hidden"})
    assert status == 200 and body["name"] == "Services" and body["managerVisibility"] == "hidden"
    for bad in ({}, {"key": "Bad Key!"}, {"name": "  "}, {"managerVisibility": "secret"}):
        status, reply = await patch(boss, path, bad)
        assert status == 400 and reply["error"], (bad, reply)
    other = await created(boss, DICTS, {"key": "other", "name": "Other"})
    assert (await patch(boss, path, {"key": "other"}))[0] == 409
    assert (await patch(boss, path, {"key": "services"}))[1]["key"] == "services"

    assert (await patch(boss, path, {"isActive": False}))[1]["isActive"] is False
    active = [d["id"] for d in (await boss.get(DICTS))[1]["items"]]
    everything = [d["id"] for d in (await boss.get(DICTS, params={"includeInactive": "true"}))[1]["items"]]
    assert made["id"] not in active and set(everything) == {made["id"], other["id"]}

    assert await boss.delete(path) == (200, {"ok": True})
    assert (await boss.get(path))[0] == 404
    assert made["id"] not in [
        d["id"] for d in (await boss.get(DICTS, params={"includeInactive": "1"}))[1]["items"]
    ]
    assert (await boss.delete(path))[0] == 404
    assert (await boss.get(f"{DICTS}/not-a-uuid"))[0] == 404


async def test_the_currency_dictionary_is_protected(boss):
    made = await created(boss, DICTS, {"key": "currency", "name": "Currencies", "isSystem": True})
    path = f"{DICTS}/{made['id']}"
    for change in ({"key": "money"}, {"isActive": False}):
        status, reply = await patch(boss, path, change)
        assert status == 400 and reply["error"] == "The currency dictionary cannot be modified or deleted."
    assert (await patch(boss, path, {"name": "Currencies we bill in", "key": "CURRENCY"}))[0] == 200
    assert (await boss.delete(path))[0] == 400
    assert (await boss.get(path))[1]["isActive"] is True


async def test_features_and_tenants(boss, reader, stranger, anonymous, xworld):
    made = await created(boss, DICTS, {"key": "brands", "name": "Brands"})
    assert (await reader.get(DICTS))[0] == 200
    status, reply = await reader.post(DICTS, {"key": "x", "name": "X"})
    assert status == 403 and reply["requiredFeatures"] == ["dictionaries.manage"]
    assert (await anonymous.get(DICTS))[0] == 401
    for method, path in (("GET", f"{DICTS}/{made['id']}"), ("DELETE", f"{DICTS}/{made['id']}")):
        assert (await stranger.call(method, path))[0] == 404
    assert (await patch(stranger, f"{DICTS}/{made['id']}", {"name": "theirs"}))[0] == 404
    assert (await stranger.get(f"{DICTS}/{made['id']}/entries"))[0] == 404
    assert made["id"] not in [d["id"] for d in (await stranger.get(DICTS))[1]["items"]]
    # A tenant id in the body is not an input: the dictionary is the caller's, in the caller's tenant.
    smuggled = await created(
        stranger, DICTS, {"key": "smuggled", "name": "S", "tenantId": str(xworld.tenant_id)}
    )
    assert smuggled["tenantId"] != str(xworld.tenant_id)
    assert "smuggled" not in [d["key"] for d in (await boss.get(DICTS))[1]["items"]]


async def test_graphql_reads_and_writes(boss, manager, stranger):
    made = await created(boss, DICTS, {"key": "colors", "name": "Colors"})
    await created(boss, f"{DICTS}/{made['id']}/entries", {"value": "red", "color": "#FF0000"})
    reply = await manager.gql(
        '{ dictionaries(filter: {key: "colors"}) { total items { key organizationId entries { value color } } } }'
    )
    page = reply["data"]["dictionaries"]
    assert page["total"] == 1 and page["items"][0]["entries"] == [{"value": "red", "color": "#ff0000"}]
    reply = await boss.gql(
        'mutation { createDictionary(key: "sizes", name: "Sizes") { id key entries { id } } }'
    )
    assert reply["data"]["createDictionary"]["key"] == "sizes"
    created_id = reply["data"]["createDictionary"]["id"]
    reply = await boss.gql(
        f'mutation {{ createDictionaryEntry(dictionaryId: "{created_id}", value: "XL", isDefault: true)'
        " { value label isDefault dictionary { key } } }"
    )
    entry = reply["data"]["createDictionaryEntry"]
    assert entry == {"value": "XL", "label": "XL", "isDefault": True, "dictionary": {"key": "sizes"}}
    assert (await stranger.gql(f'{{ dictionary(id: "{created_id}") {{ id }} }}'))["data"][
        "dictionary"
    ] is None
    reply = await manager.gql(f'mutation {{ deleteDictionary(dictionaryId: "{created_id}") }}')
    assert reply["errors"][0]["extensions"]["status"] == 404

"""Akeneo sync against a local Akeneo server: credentials from the integration (wrong ones: 502 and
nothing written), discovery, the attribute mapping, the first import through the catalog (pages
followed, re-import updates), deleting imported products (all or nothing) and isolation."""

from __future__ import annotations

from tests.sync_akeneo.conftest import PASSWORD, product

IMPORT = "/api/sync_akeneo/first-import"
MAPPING = "/api/sync_akeneo/custom-fields"
DELETE = "/api/sync_akeneo/delete-products"
PRODUCTS = "/api/catalog/products"


async def helmets(api) -> dict[str, dict]:
    status, page = await api.get(PRODUCTS, params={"search": "HELM", "pageSize": 100})
    assert status == 200, page
    return {item["sku"]: item for item in page["items"] if (item.get("sku") or "").startswith("HELM-")}


async def test_wrong_credentials_fail_without_writing(akeneo, syncer):
    status, reply = await syncer.post(IMPORT, {})
    assert status == 502 and "credentials" in reply["error"]
    status, state = await syncer.get(IMPORT)
    assert (state["configured"], state["status"], state["run"]) == (True, "never", None)
    status, health = await syncer.post("/api/integrations/sync_akeneo/health")
    assert health["status"] == "unhealthy"
    status, _ = await syncer.put(
        "/api/integrations/sync_akeneo/credentials", {"credentials": {"password": PASSWORD}}
    )
    assert status == 200
    status, health = await syncer.post("/api/integrations/sync_akeneo/health")
    assert health["status"] == "healthy"


async def test_discovery_and_mapping(akeneo, syncer, operator):
    status, found = await syncer.get("/api/sync_akeneo/discovery")
    assert status == 200 and found["configured"]
    assert [a["code"] for a in found["attributes"]] == ["name", "color"] and found["attributes"][0][
        "localizable"
    ]
    assert [loc["code"] for loc in found["locales"]] == ["en_US", "pl_PL"]  # two pages followed
    status, mapping = await syncer.get(MAPPING)
    assert mapping["isDefault"] and {"attribute": "name", "target": "title"} in mapping["mappings"]
    status, reply = await syncer.post(MAPPING, {"mappings": [{"attribute": "name", "target": "price"}]})
    assert status == 400
    status, reply = await syncer.post(
        MAPPING,
        {"mappings": [{"attribute": "name", "target": "title"}, {"attribute": "color", "target": "title"}]},
    )
    assert status == 400
    body = {
        "mappings": [
            {"attribute": "name", "target": "title"},
            {"attribute": "description", "target": "subtitle"},
            {"attribute": "color", "target": "metadata.color"},
        ],
        "locale": "pl_PL",
    }
    status, mapping = await syncer.post(MAPPING, body)
    assert status == 200 and not mapping["isDefault"] and mapping["locale"] == "pl_PL"
    status, reply = await operator.post(MAPPING, body)
    assert status == 403 and reply["requiredFeatures"] == ["data_sync.configure"]


async def test_first_import_creates_then_updates_and_delete_is_all_or_nothing(akeneo, syncer, foreign):
    fake, _ = akeneo
    status, run = await syncer.post(IMPORT, {})
    assert status == 200, run
    assert (run["status"], run["created"], run["updated"], run["pages"]) == ("completed", 5, 0, 3)
    found = await helmets(syncer)
    assert sorted(found) == [f"HELM-{n}" for n in range(1, 6)]
    assert found["HELM-1"]["title"] == "Helmet 1 PL" and found["HELM-1"]["subtitle"] == "About Helmet 1"
    assert found["HELM-1"]["metadata"]["color"] == "black"
    fake.products[0]["values"]["name"][1]["data"] = "Renamed"
    status, run = await syncer.post(IMPORT, {"maxPages": 1})
    assert (run["created"], run["updated"], run["pages"]) == (0, 2, 1)
    assert (await helmets(syncer))["HELM-1"]["title"] == "Renamed"
    status, state = await syncer.get(IMPORT)
    assert (
        state["status"] == "completed" and state["importedProducts"] == 5 and state["run"]["id"] == run["id"]
    )
    # another tenant: no runs, nothing of ours to delete
    status, theirs = await foreign.get(IMPORT)
    assert theirs["run"] is None and theirs["importedProducts"] == 0
    status, _ = await foreign.post(DELETE, {"identifiers": ["HELM-1"]})
    assert status == 404
    status, _ = await syncer.post(DELETE, {"identifiers": ["HELM-1", "NOPE"]})
    assert status == 404 and len(await helmets(syncer)) == 5  # nothing deleted
    status, reply = await syncer.post(DELETE, {"identifiers": ["HELM-1"]})
    assert (status, reply["deleted"]) == (200, 1) and "HELM-1" not in await helmets(syncer)
    status, reply = await syncer.post(DELETE, {})
    assert reply["deleted"] == 4 and await helmets(syncer) == {}


async def test_a_product_the_catalog_refuses_is_counted_and_the_rest_kept(akeneo, syncer):
    fake, _ = akeneo
    fake.products = [product("HELM-OK", "Fine"), product("HELM-LONG", "x" * 400)]
    status, run = await syncer.post(IMPORT, {})
    assert status == 200 and (run["status"], run["created"], run["failed"]) == ("completed_with_errors", 1, 1)
    assert run["errors"][0]["identifier"] == "HELM-LONG"
    assert sorted(await helmets(syncer)) == ["HELM-OK"]

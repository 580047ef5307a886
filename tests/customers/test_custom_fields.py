"""Custom fields: every documented write spelling is kept, reads return ``cf_<key>``."""

from __future__ import annotations


async def test_every_spelling_is_stored_and_read_back_as_cf_keys(crm, admin):
    person = await crm.person(
        "Cy",
        "Fields",
        customFields=[{"key": "shoeSize", "value": 42}],
        customValues={"vip": True},
        cf_bike="Ducati",
        **{"cf:plate": "KR 1"},
    )
    item = (await crm.list("people", ids=person))["items"][0]
    assert {k: v for k, v in item.items() if k.startswith("cf_")} == {
        "cf_shoeSize": 42,
        "cf_vip": True,
        "cf_bike": "Ducati",
        "cf_plate": "KR 1",
    }
    assert item["custom_fields"] == {"shoeSize": 42, "vip": True, "bike": "Ducati", "plate": "KR 1"}


async def test_updates_merge_and_null_removes(crm, admin):
    deal = await crm.deal("Custom", cf_region="north", cf_source="fair")
    status, _ = await admin.put("/api/customers/deals", {"id": deal, "cf_region": "south", "cf_source": None})
    assert status == 200
    item = (await crm.list("deals", ids=deal))["items"][0]
    assert item["cf_region"] == "south" and "cf_source" not in item
    _, detail = await admin.get(f"/api/customers/deals/{deal}")
    assert detail["customFields"] == {"region": "south"}


async def test_graphql_reads_the_same_values(crm, admin):
    company = await crm.company("Custom Co", cf_tier="gold")
    result = await admin.gql(f'{{ company(id: "{company}") {{ customFields {{ key value }} }} }}')
    assert result["data"]["company"]["customFields"] == [{"key": "tier", "value": "gold"}]

"""Dictionary entries: values unique per dictionary (case-insensitive), labels, colors and icons
normalized, one default entry (taking it moves it, undone as one command), read through
inherited dictionaries, written only in the dictionary's own organization."""

from __future__ import annotations

from tests.dictionaries.conftest import ACTIONS, created, patch, written

DICTS = "/api/dictionaries"


async def entries_of(api, dictionary_id: str) -> list[dict]:
    status, body = await api.get(f"{DICTS}/{dictionary_id}/entries")
    assert status == 200, body
    return body["items"]


async def test_entries_lifecycle(boss):
    dictionary = (await created(boss, DICTS, {"key": "brands", "name": "Brands"}))["id"]
    path = f"{DICTS}/{dictionary}/entries"
    ducati = await created(
        boss, path, {"value": " ducati ", "label": "Ducati", "color": "#CC0000", "icon": " bike "}
    )
    assert (ducati["value"], ducati["label"], ducati["color"], ducati["icon"]) == (
        "ducati",
        "Ducati",
        "#cc0000",
        "bike",
    )
    assert ducati["position"] == 0 and ducati["isDefault"] is False and ducati["dictionaryId"] == dictionary
    bmw = await created(boss, path, {"value": "bmw", "position": 2})
    assert bmw["label"] == "bmw" and bmw["color"] is None
    assert (await boss.post(path, {"value": "DUCATI"}))[0] == 409
    for bad in ({"value": " "}, {"value": "x", "color": "red"}, {"value": "x", "position": -1}, {}):
        status, reply = await boss.post(path, bad)
        assert status == 400 and reply["error"], (bad, reply)
    assert [e["label"] for e in await entries_of(boss, dictionary)] == ["bmw", "Ducati"]  # alphabetical

    # A label that only repeated the value follows it; an explicit label stays.
    status, renamed = await patch(boss, f"{path}/{bmw['id']}", {"value": "BMW Motorrad"})
    assert status == 200 and renamed["label"] == "BMW Motorrad"
    status, kept = await patch(boss, f"{path}/{ducati['id']}", {"value": "ducati-corse", "color": None})
    assert kept["label"] == "Ducati" and kept["color"] is None
    assert (await patch(boss, f"{path}/{ducati['id']}", {"value": "bmw motorrad"}))[0] == 409
    assert (await patch(boss, f"{path}/{ducati['id']}", {}))[0] == 400

    assert await boss.delete(f"{path}/{bmw['id']}") == (200, {"ok": True})
    assert [e["id"] for e in await entries_of(boss, dictionary)] == [ducati["id"]]
    assert (await boss.delete(f"{path}/{bmw['id']}"))[0] == 404


async def test_one_default_entry_and_undo(boss):
    dictionary = (await created(boss, DICTS, {"key": "sizes", "name": "Sizes"}))["id"]
    path = f"{DICTS}/{dictionary}/entries"
    small = await created(boss, path, {"value": "S", "isDefault": True})
    status, large, op = await written(boss, "POST", path, {"value": "L", "isDefault": True})
    assert status == 201 and large["isDefault"] is True
    assert op["resourceId"] == large["id"] and op["resourceKind"] == "dictionaries.dictionary_entry"
    defaults = {e["value"]: e["isDefault"] for e in await entries_of(boss, dictionary)}
    assert defaults == {"S": False, "L": True}

    # Undo takes back the whole command: the new entry is gone and the default is where it was.
    assert (await boss.post(f"{ACTIONS}/undo", {"undoToken": op["undoToken"]}))[0] == 200
    assert [(e["id"], e["isDefault"]) for e in await entries_of(boss, dictionary)] == [(small["id"], True)]
    status, redone = await boss.post(f"{ACTIONS}/redo", {"logId": op["id"]})
    assert status == 200, redone
    defaults = {e["value"]: e["isDefault"] for e in await entries_of(boss, dictionary)}
    assert defaults == {"S": False, "L": True}

    status, moved = await patch(boss, f"{path}/{small['id']}", {"isDefault": True})
    assert status == 200 and moved["isDefault"] is True
    assert {e["value"]: e["isDefault"] for e in await entries_of(boss, dictionary)} == {"S": True, "L": False}


async def test_inherited_entries_are_read_only(boss, manager, reader, stranger):
    root = (await created(boss, DICTS, {"key": "colors", "name": "Colors"}))["id"]
    red = await created(boss, f"{DICTS}/{root}/entries", {"value": "red"})
    assert [e["value"] for e in await entries_of(manager, root)] == ["red"]
    assert (await manager.post(f"{DICTS}/{root}/entries", {"value": "blue"}))[0] == 404
    assert (await patch(manager, f"{DICTS}/{root}/entries/{red['id']}", {"label": "Red"}))[0] == 404
    assert (await manager.delete(f"{DICTS}/{root}/entries/{red['id']}"))[0] == 404

    # An entry is only reachable through its own dictionary.
    branch = (await created(manager, DICTS, {"key": "branch", "name": "Branch"}))["id"]
    assert (await patch(manager, f"{DICTS}/{branch}/entries/{red['id']}", {"label": "x"}))[0] == 404
    assert (await boss.delete(f"{DICTS}/{branch}/entries/{red['id']}"))[0] == 404

    status, reply = await reader.post(f"{DICTS}/{branch}/entries", {"value": "x"})
    assert status == 403 and reply["requiredFeatures"] == ["dictionaries.manage"]
    assert (await stranger.get(f"{DICTS}/{root}/entries"))[0] == 404
    assert (await stranger.post(f"{DICTS}/{root}/entries", {"value": "x"}))[0] == 404
    assert (await patch(stranger, f"{DICTS}/{root}/entries/{red['id']}", {"label": "x"}))[0] == 404
    reply = await stranger.gql("{ dictionaryValues(pageSize: 100) { items { id } } }")
    assert red["id"] not in [e["id"] for e in reply["data"]["dictionaryValues"]["items"]]

    # Deleting the dictionary hides its entries everywhere.
    assert (await boss.delete(f"{DICTS}/{root}"))[0] == 200
    reply = await boss.gql(f'{{ dictionaryValue(id: "{red["id"]}") {{ id }} }}')
    assert reply["data"]["dictionaryValue"] is None

"""Translations of a record's text fields by locale: the record must be one the caller sees, fields
its text fields, locales the tenant's; full replacement, removal, the supported locales; undo."""

from __future__ import annotations

from tests.dictionaries.conftest import ACTIONS, created, written

LOCALES = "/api/translations/locales"


async def dictionary_entry(api) -> tuple[str, str]:
    dictionary = (await created(api, "/api/dictionaries", {"key": "brands", "name": "Brands"}))["id"]
    entry = await created(api, f"/api/dictionaries/{dictionary}/entries", {"value": "bmw", "label": "BMW"})
    return dictionary, entry["id"]


async def test_translate_a_record(boss, reader):
    dictionary, entry = await dictionary_entry(boss)
    path = f"/api/translations/dictionaries:dictionary_entry/{entry}"
    assert (await boss.get(path))[0] == 404  # nothing translated yet
    body = {
        "pl": {"label": "BMW (Niemcy)"},
        "DE": {"label": "BMW Motorrad", "value": None},
        "es": {"label": None},
    }
    status, saved = await boss.put(path, body)
    assert status == 200, saved
    assert saved["translations"] == {"pl": {"label": "BMW (Niemcy)"}, "de": {"label": "BMW Motorrad"}}
    assert (saved["entityType"], saved["entityId"]) == ("dictionaries:dictionary_entry", entry)
    assert saved["createdAt"] and saved["updatedAt"]
    status, read = await reader.get(path)
    assert status == 200 and read == saved

    # A full replacement (also as ``{"translations": ...}``), then removal.
    status, replaced = await boss.put(path, {"translations": {"en": {"label": "BMW", "value": "bmw"}}})
    assert status == 200 and replaced["translations"] == {"en": {"label": "BMW", "value": "bmw"}}
    status, _, op = await written(boss, "DELETE", path)
    assert status == 204 and op["resourceKind"] == "translations.translation"
    assert (await boss.get(path))[0] == 404
    assert (await boss.call("DELETE", path))[0] == 204  # nothing left to remove

    # Undo of the removal brings the translations back.
    assert (await boss.post(f"{ACTIONS}/undo", {"undoToken": op["undoToken"]}))[0] == 200
    assert (await boss.get(path))[1]["translations"] == {"en": {"label": "BMW", "value": "bmw"}}

    reply = await boss.gql(
        f'{{ entityTranslations(entityType: "dictionaries:dictionary_entry", entityId: "{entry}") {{ translations }} }}'
    )
    assert reply["data"]["entityTranslations"]["translations"] == {"en": {"label": "BMW", "value": "bmw"}}
    # The dictionary itself is another record.
    other = f"/api/translations/dictionaries:dictionary/{dictionary}"
    assert (await boss.put(other, {"pl": {"name": "Marki"}}))[1]["translations"] == {"pl": {"name": "Marki"}}


async def test_what_may_be_translated(boss):
    _, entry = await dictionary_entry(boss)
    path = f"/api/translations/dictionaries:dictionary_entry/{entry}"
    for bad in (
        {"pl": {"color": "czerwony", "position": "1"}},  # not text fields / not fields
        {"pl": {"label": 5}},
        {"pl": {"label": "x" * 10_001}},
        {"pl": "BMW"},
        {"xx-yy-zz": {"label": "x"}},
        {"fr": {"label": "BMW"}},  # not one of the tenant's locales
        {f"l{i:02d}": {"label": "x"} for i in range(51)},
    ):
        status, reply = await boss.put(path, bad)
        assert status == 400 and reply["details"], (bad, reply)
    assert (await boss.put(path, "not an object"))[0] == 400

    for bad_path, expected in (
        ("/api/translations/string/string", 400),
        ("/api/translations/dictionaries:nothing/" + entry, 404),
        ("/api/translations/customers:dictionary_entry/" + entry, 404),
        ("/api/translations/translations:translation/" + entry, 400),
        ("/api/translations/dictionaries:dictionary_entry/not-a-uuid", 404),
        ("/api/translations/dictionaries:dictionary/" + entry, 404),  # an entry's id is no dictionary
    ):
        assert (await boss.get(bad_path))[0] == expected, bad_path
        assert (await boss.put(bad_path, {"pl": {"label": "x"}}))[0] == expected, bad_path


async def test_locales(boss, reader, anonymous):
    assert await reader.get(LOCALES) == (200, {"locales": ["en", "pl", "de", "es"]})
    status, reply = await reader.put(LOCALES, {"locales": ["fr"]})
    assert status == 403 and reply["requiredFeatures"] == ["translations.manage"]
    assert (await anonymous.get(LOCALES))[0] == 401
    for bad in ({"locales": []}, {"locales": ["french"]}, {"locales": "fr"}, {}):
        assert (await boss.put(LOCALES, bad))[0] == 400, bad
    assert await boss.put(LOCALES, {"locales": ["FR", "pt_br", "fr", "pl"]}) == (
        200,
        {"locales": ["fr", "pt-BR", "pl"]},
    )
    assert await reader.get(LOCALES) == (200, {"locales": ["fr", "pt-BR", "pl"]})
    _, entry = await dictionary_entry(boss)
    path = f"/api/translations/dictionaries:dictionary_entry/{entry}"
    assert (await boss.put(path, {"pt-br": {"label": "BMW"}}))[1]["translations"] == {
        "pt-BR": {"label": "BMW"}
    }
    assert (await boss.put(path, {"de": {"label": "BMW"}}))[0] == 400
    assert (await boss.gql("{ translationLocales }"))["data"]["translationLocales"] == ["fr", "pt-BR", "pl"]


async def test_visibility_of_the_record(boss, manager, reader, stranger):
    _, entry = await dictionary_entry(boss)
    path = f"/api/translations/dictionaries:dictionary_entry/{entry}"
    assert (await boss.put(path, {"pl": {"label": "BMW"}}))[0] == 200
    # The branch inherits the root's dictionaries: it reads (and may translate) the entry.
    assert (await manager.get(path))[0] == 200
    status, reply = await reader.put(path, {"pl": {"label": "x"}})
    assert status == 403 and reply["requiredFeatures"] == ["translations.manage"]
    for method in ("GET", "DELETE"):
        assert (await stranger.call(method, path))[0] == 404
    assert (await stranger.put(path, {"pl": {"label": "x"}}))[0] == 404
    # Records the caller may not read are not theirs to read translated: the entity's features count.
    person = (await created(manager, "/api/customers/people", {"firstName": "Ada", "lastName": "Nowak"}))[
        "id"
    ]
    person_path = f"/api/translations/customers:person/{person}"
    # This entity keys its fields in snake_case.
    status, reply = await manager.put(person_path, {"pl": {"display_name": "Ada"}})
    assert status == 200, reply
    status, reply = await reader.get(person_path)
    assert status == 403 and reply["requiredFeatures"] == ["customers.people.view"]
    assert (await stranger.get(person_path))[0] == 404

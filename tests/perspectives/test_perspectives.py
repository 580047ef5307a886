"""Perspectives: a user's saved views of a table (names unique, one default), role defaults given
and cleared with ``perspectives.role_defaults`` for roles of the caller's tenant only; isolation."""

from __future__ import annotations

import uuid

from crmgraph.seed import ensure_role
from tests.dictionaries.conftest import created

TABLE = "/api/perspectives/customers.people"
SETTINGS = {
    "columnOrder": ["displayName", "primaryEmail"],
    "columnVisibility": {"primaryPhone": False},
    "filters": {"city": "Kraków"},
    "sorting": [{"id": "displayName", "desc": True}],
    "pageSize": 25,
    "searchValue": "ann",
    "somethingElse": "dropped",
}


async def state(api, table: str = TABLE) -> dict:
    status, body = await api.get(table)
    assert status == 200, body
    return body


async def save(api, **body) -> dict:
    status, reply = await api.post(body.pop("table", TABLE), {"settings": SETTINGS, **body})
    assert status == 200, reply
    return reply


async def test_personal_views(reader, manager, xworld):
    empty = await state(reader)
    assert empty == {
        "tableId": "customers.people",
        "perspectives": [],
        "defaultPerspectiveId": None,
        "rolePerspectives": [],
        "roles": [
            {
                "id": str(xworld.role_ids["reader"]),
                "name": "reader",
                "hasPerspective": False,
                "hasDefault": False,
            }
        ],
        "canApplyToRoles": False,
    }
    mine = await save(reader, name="Mine", isDefault=True)
    assert mine["rolePerspectives"] == [] and mine["clearedRoleIds"] == []
    view = mine["perspective"]
    assert (view["name"], view["tableId"], view["isDefault"]) == ("Mine", "customers.people", True)
    assert view["settings"] == {k: v for k, v in SETTINGS.items() if k != "somethingElse"}

    # Saving under the same name replaces the view; another default moves the flag.
    again = (await save(reader, name="Mine", settings={"pageSize": 10}))["perspective"]
    assert again["id"] == view["id"] and again["settings"] == {"pageSize": 10} and again["isDefault"] is True
    second = (await save(reader, name="Second", isDefault=True))["perspective"]
    listing = await state(reader)
    assert listing["defaultPerspectiveId"] == second["id"]
    assert {p["name"]: p["isDefault"] for p in listing["perspectives"]} == {"Mine": False, "Second": True}

    status, reply = await reader.post(TABLE, {"perspectiveId": second["id"], "name": "Mine", "settings": {}})
    assert status == 409
    renamed = (await save(reader, perspectiveId=second["id"], name="Renamed"))["perspective"]
    assert renamed["id"] == second["id"] and renamed["name"] == "Renamed"
    for bad in (
        {"name": "", "settings": {}},
        {"name": "x" * 121, "settings": {}},
        {"name": "x", "settings": {"pageSize": 501}},
        {"name": "x", "settings": {"sorting": [{"id": "a"}] * 21}},
        {"name": "x", "settings": {"columnOrder": "displayName"}},
        {"name": "x"},
    ):
        status, reply = await reader.post(TABLE, bad)
        assert status == 400 and reply["details"], (bad, reply)
    status, reply = await reader.post(
        TABLE, {"name": "x", "settings": {}, "applyToRoles": [str(uuid.uuid4())]}
    )
    assert status == 403 and reply["requiredFeatures"] == ["perspectives.role_defaults"]

    # Views are their owner's: another user neither sees nor removes them.
    assert (await state(manager))["perspectives"] == []
    assert (await manager.delete(f"{TABLE}/{view['id']}"))[0] == 404
    status, reply = await manager.post(TABLE, {"perspectiveId": view["id"], "name": "Taken", "settings": {}})
    assert status == 404
    assert (await state(reader, "/api/perspectives/cases"))["perspectives"] == []  # per table
    assert await reader.delete(f"{TABLE}/{view['id']}") == (200, {"success": True})
    assert [p["name"] for p in (await state(reader))["perspectives"]] == ["Renamed"]
    assert (await reader.delete(f"{TABLE}/{view['id']}"))[0] == 404
    assert (await reader.delete(f"/api/perspectives/cases/{second['id']}"))[0] == 404


async def test_role_defaults(manager, reader, boss, stranger, xworld, sessionmaker):
    reader_role, manager_role = str(xworld.role_ids["reader"]), str(xworld.role_ids["manager"])
    given = await save(manager, name="Team view", applyToRoles=[reader_role], setRoleDefault=True)
    assert [(r["roleId"], r["roleName"], r["isDefault"]) for r in given["rolePerspectives"]] == [
        (reader_role, "reader", True)
    ]
    offered = (await state(reader))["rolePerspectives"]
    assert [(r["name"], r["roleId"], r["isDefault"]) for r in offered] == [("Team view", reader_role, True)]
    assert (await state(reader))["roles"][0] | {"id": None} == {
        "id": None,
        "name": "reader",
        "hasPerspective": True,
        "hasDefault": True,
    }
    managed = await state(manager)
    assert managed["canApplyToRoles"] is True
    assert [r["name"] for r in managed["roles"]] == ["manager", "reader", "superadmin"]
    assert [r["roleId"] for r in managed["rolePerspectives"]] == [reader_role]

    # Another view as the role's default moves its default flag.
    await save(
        manager, name="Compact", settings={"pageSize": 10}, applyToRoles=[reader_role], setRoleDefault=True
    )
    defaults = {r["name"]: r["isDefault"] for r in (await state(reader))["rolePerspectives"]}
    assert defaults == {"Team view": False, "Compact": True}

    # Only live roles of the caller's tenant: another tenant's role, a global one and a random id are refused alike.
    other_tenant_role = str((await created(stranger, "/api/auth/roles", {"name": "theirs"}))["id"])
    async with sessionmaker() as session:
        global_role = str((await ensure_role(session, None, f"global-{uuid.uuid4().hex[:6]}", [])).id)
        await session.commit()
    for role in (other_tenant_role, global_role, str(uuid.uuid4())):
        status, reply = await manager.post(TABLE, {"name": "x", "settings": {}, "applyToRoles": [role]})
        assert status == 400 and reply["error"] == "Invalid roles", reply
        assert (await manager.delete(f"{TABLE}/roles/{role}"))[0] == 404

    cleared = await save(manager, name="Mine", clearRoleIds=[reader_role])
    assert cleared["clearedRoleIds"] == [reader_role]
    assert (await state(reader))["rolePerspectives"] == []
    await save(manager, name="Again", applyToRoles=[reader_role, manager_role])
    status, reply = await reader.delete(f"{TABLE}/roles/{reader_role}")
    assert status == 403 and reply["requiredFeatures"] == ["perspectives.role_defaults"]
    assert await manager.delete(f"{TABLE}/roles/{reader_role}") == (200, {"success": True})
    assert [r["roleId"] for r in (await state(manager))["rolePerspectives"]] == [manager_role]

    # The other tenant sees none of it.
    foreign = await state(stranger)
    assert foreign["rolePerspectives"] == [] and reader_role not in [r["id"] for r in foreign["roles"]]
    reply = await boss.gql(
        '{ rolePerspectives(filter: {tableId: "customers.people"}) { items { name role { name } } } }'
    )
    assert reply["data"]["rolePerspectives"]["items"] == [{"name": "Again", "role": {"name": "manager"}}]
    reply = await manager.gql("{ perspectives { items { name isDefault } } }")
    assert sorted(p["name"] for p in reply["data"]["perspectives"]["items"]) == [
        "Again",
        "Compact",
        "Mine",
        "Team view",
    ]
    assert (await stranger.gql("{ perspectives { total } rolePerspectives { total } }"))["data"] == {
        "perspectives": {"total": 0},
        "rolePerspectives": {"total": 0},
    }


async def test_graphql_save_and_anonymous(manager, anonymous):
    reply = await manager.gql(
        'mutation { savePerspective(tableId: "cases", name: "Open", settings: {pageSize: 20, sorting: [{id: "openedAt"}]})'
        " { perspective { name settings } clearedRoleIds } }"
    )
    saved = reply["data"]["savePerspective"]
    assert saved == {
        "perspective": {"name": "Open", "settings": {"pageSize": 20, "sorting": [{"id": "openedAt"}]}},
        "clearedRoleIds": [],
    }
    assert (await anonymous.get(TABLE))[0] == 401
    assert (await anonymous.post(TABLE, {"name": "x", "settings": {}}))[0] == 401

"""The category tree: paths, depths and labels kept through moves and renames, no cycles, children
before parents on delete, and the documented list keys."""

from __future__ import annotations

import asyncio

from tests.catalog.conftest import API, make, one
from tests.dictionaries.conftest import ACTIONS, written

CATEGORIES = f"{API}/categories"


async def test_tree_paths_moves_renames_and_cycles(boss):
    parts = await make(boss, "categories", name="Parts", slug="Parts Dept")
    brakes = await make(boss, "categories", name="Brakes", parentId=parts)
    pads = await make(boss, "categories", name="Pads", parentId=brakes)
    services = await make(boss, "categories", name="Services")

    leaf = await one(boss, "categories", pads)
    assert leaf["depth"] == 2 and leaf["treePath"] == f"{parts}/{brakes}/{pads}"
    assert leaf["pathLabel"] == "Parts / Brakes / Pads" and leaf["parentName"] == "Brakes"
    top = await one(boss, "categories", parts)
    assert top["slug"] == "parts-dept" and top["depth"] == 0 and top["parentId"] is None
    assert top["childCount"] == 1 and top["descendantCount"] == 2

    # A move under its own descendant (or itself) is refused, and nothing changes.
    for target in (pads, brakes, parts):
        status, reply = await boss.put(CATEGORIES, {"id": parts, "parentId": target})
        assert status == 400 and reply["details"][0]["code"] == "cycle", reply
    assert (await one(boss, "categories", pads))["treePath"] == f"{parts}/{brakes}/{pads}"

    # Moving a subtree carries its descendants; renaming relabels them.
    assert (await boss.put(CATEGORIES, {"id": brakes, "parentId": services}))[0] == 200
    leaf = await one(boss, "categories", pads)
    assert leaf["treePath"] == f"{services}/{brakes}/{pads}" and leaf["depth"] == 2
    assert leaf["pathLabel"] == "Services / Brakes / Pads"
    assert (await boss.put(CATEGORIES, {"id": services, "name": "Workshop"}))[0] == 200
    assert (await one(boss, "categories", pads))["pathLabel"] == "Workshop / Brakes / Pads"
    assert (await one(boss, "categories", parts))["childCount"] == 0

    # To the root again.
    assert (await boss.put(CATEGORIES, {"id": brakes, "parentId": None}))[0] == 200
    leaf = await one(boss, "categories", pads)
    assert (
        leaf["treePath"] == f"{brakes}/{pads}" and leaf["depth"] == 1 and leaf["pathLabel"] == "Brakes / Pads"
    )

    # Under: every level below; a parent with children stays until they go.
    status, page = await boss.get(CATEGORIES, params={"under": brakes})
    assert status == 200 and [c["id"] for c in page["items"]] == [pads]
    status, reply = await boss.delete(CATEGORIES, json={"id": brakes})
    assert status == 409, reply
    assert (await boss.delete(CATEGORIES, json={"id": pads}))[0] == 200
    assert (await boss.delete(CATEGORIES, json={"id": brakes}))[0] == 200


async def test_category_rules_and_status_filter(boss, stranger):
    first = await make(boss, "categories", name="Tyres", slug="tyres")
    status, reply = await boss.post(CATEGORIES, {"name": "Other tyres", "slug": "tyres"})
    assert status == 409, reply
    status, reply = await boss.post(CATEGORIES, {"name": "  "})
    assert status == 400 and reply["error"] == "Validation failed", reply
    status, reply = await boss.post(
        CATEGORIES, {"name": "Orphan", "parentId": "00000000-0000-4000-8000-000000000000"}
    )
    assert status == 400 and reply["details"][0]["path"] == ["parentId"], reply
    # Another tenant's category is not a parent, nor visible, nor writable.
    status, reply = await stranger.post(CATEGORIES, {"name": "Foreign", "parentId": first})
    assert status == 400, reply
    assert (await stranger.put(CATEGORIES, {"id": first, "name": "Mine"}))[0] == 404
    assert (await stranger.delete(CATEGORIES, json={"id": first}))[0] == 404
    status, page = await stranger.get(CATEGORIES, params={"ids": first})
    assert status == 200 and page["items"] == []

    inactive = await make(boss, "categories", name="Retired", isActive=False)
    status, page = await boss.get(CATEGORIES, params={"status": "inactive", "pageSize": 100})
    assert [c["id"] for c in page["items"]] == [inactive]
    status, page = await boss.get(CATEGORIES, params={"status": "active", "pageSize": 100})
    assert inactive not in {c["id"] for c in page["items"]} and first in {c["id"] for c in page["items"]}


async def test_graphql_walks_the_tree(boss):
    root = await make(boss, "categories", name="Gear")
    child = await make(boss, "categories", name="Helmets", parentId=root)
    reply = await boss.gql(
        "query($id: UUID!) { category(id: $id) { name depth pathLabel parent { name } children { name } } }",
        {"id": child},
    )
    assert reply["data"]["category"] == {
        "name": "Helmets",
        "depth": 1,
        "pathLabel": "Gear / Helmets",
        "parent": {"name": "Gear"},
        "children": [],
    }
    reply = await boss.gql(
        "mutation($id: UUID!, $to: UUID) { updateCategory(id: $id, input: {parentId: $to}) { id } }",
        {"id": root, "to": child},
    )
    assert reply["errors"] and not reply.get("data"), reply
    reply = await boss.gql("query($id: UUID!) { category(id: $id) { children { name } } }", {"id": root})
    assert reply["data"]["category"]["children"] == [{"name": "Helmets"}]


async def test_concurrent_crossed_moves_never_make_a_cycle(boss):
    first = await make(boss, "categories", name="Left")
    second = await make(boss, "categories", name="Right")
    replies = await asyncio.gather(
        boss.put(CATEGORIES, {"id": first, "parentId": second}),
        boss.put(CATEGORIES, {"id": second, "parentId": first}),
    )
    assert sorted(status for status, _ in replies)[0] == 200, replies
    assert all(status in (200, 400, 409) for status, _ in replies), replies
    left, right = await one(boss, "categories", first), await one(boss, "categories", second)
    assert (left["parentId"] is None) != (right["parentId"] is None)  # exactly one moved
    assert {left["depth"], right["depth"]} == {0, 1}


async def test_undoing_a_move_restores_the_subtree(boss):
    top = await make(boss, "categories", name="Top")
    middle = await make(boss, "categories", name="Middle", parentId=top)
    leaf = await make(boss, "categories", name="Leaf", parentId=middle)
    status, _, op = await written(boss, "PUT", CATEGORIES, {"id": middle, "parentId": None})
    assert status == 200 and (await one(boss, "categories", leaf))["pathLabel"] == "Middle / Leaf"
    assert (await boss.post(f"{ACTIONS}/undo", {"undoToken": op["undoToken"]}))[0] == 200
    restored = await one(boss, "categories", leaf)
    assert restored["pathLabel"] == "Top / Middle / Leaf" and restored["treePath"] == f"{top}/{middle}/{leaf}"
    assert restored["depth"] == 2

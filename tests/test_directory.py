"""Tenants and the organization tree over REST."""

from __future__ import annotations

from tests.conftest import login


async def test_tenant_crud_and_visibility(client, world, platform, admin):
    assert (await admin.post("/api/directory/tenants", {"name": "Nope"}))[0] == 403  # tenant admins stay home
    admin = platform
    status, body = await admin.post("/api/directory/tenants", {"name": "Branch Co"})
    assert status == 201
    tenant_id = body["id"]
    status, page = await admin.get(f"/api/directory/tenants?ids={tenant_id}")
    assert status == 200 and page["total"] == 1 and page["items"][0]["name"] == "Branch Co"
    assert set(page) == {"items", "total", "page", "pageSize", "totalPages"}
    assert (await admin.put("/api/directory/tenants", {"id": tenant_id, "isActive": False})) == (
        200,
        {"ok": True},
    )
    _, page = await admin.get(f"/api/directory/tenants?ids={tenant_id}&isActive=false")
    assert page["items"][0]["isActive"] is False
    assert (await admin.delete("/api/directory/tenants", json={"id": tenant_id})) == (200, {"ok": True})
    _, page = await admin.get(f"/api/directory/tenants?ids={tenant_id}")
    assert page["total"] == 0
    assert (await admin.delete("/api/directory/tenants", json={"id": tenant_id}))[0] == 404


async def test_non_super_admin_sees_own_tenant_only(client, world, admin):
    await admin.put(
        "/api/auth/roles/acl",
        {"roleId": str(world.role_ids["viewer"]), "features": ["directory.tenants.view", "auth.users.list"]},
    )
    viewer = await login(client, world.emails["viewer"])
    status, page = await viewer.get("/api/directory/tenants?pageSize=100")
    assert status == 200
    assert [item["id"] for item in page["items"]] == [str(world.tenant_id)]


async def test_organization_tree_paths_moves_and_cycles(client, world, admin):
    status, body = await admin.post(
        "/api/directory/organizations", {"name": "Leaf", "parentId": str(world.branch_org)}
    )
    assert status == 201
    leaf = body["id"]
    _, page = await admin.get(f"/api/directory/organizations?ids={leaf}")
    item = page["items"][0]
    assert item["treePath"] == f"{world.root_org}/{world.branch_org}/{leaf}"
    assert item["depth"] == 2 and item["rootId"] == str(world.root_org)
    assert item["parentName"].startswith("Branch") and item["tenantName"].startswith("Tenant")
    # Moving the branch under "other" rewrites the leaf's path.
    assert (
        await admin.put(
            "/api/directory/organizations", {"id": str(world.branch_org), "parentId": str(world.other_org)}
        )
    )[0] == 200
    _, page = await admin.get(f"/api/directory/organizations?ids={leaf}")
    assert page["items"][0]["treePath"] == f"{world.root_org}/{world.other_org}/{world.branch_org}/{leaf}"
    assert page["items"][0]["depth"] == 3
    status, body = await admin.put(
        "/api/directory/organizations", {"id": str(world.root_org), "parentId": leaf}
    )
    assert status == 400 and body["details"][0]["code"] == "cycle"
    status, _ = await admin.delete("/api/directory/organizations", json={"id": str(world.branch_org)})
    assert status == 409
    assert (await admin.delete("/api/directory/organizations", json={"id": leaf})) == (200, {"ok": True})
    status, body = await admin.post("/api/directory/organizations", {"name": "Orphan", "parentId": leaf})
    assert status == 400


async def test_organization_views_and_switcher(client, world, admin):
    _, options = await admin.get("/api/directory/organizations?view=options")
    names = [o["name"] for o in options["items"]]
    assert len(names) == 3 and names[0].startswith("Root")
    assert set(options["items"][0]) >= {
        "id",
        "name",
        "parentId",
        "parentName",
        "tenantId",
        "tenantName",
        "rootId",
        "treePath",
    }
    _, tree = await admin.get("/api/directory/organizations?view=tree")
    assert len(tree["items"]) == 1 and len(tree["items"][0]["children"]) == 2
    _, manage = await admin.get("/api/directory/organizations?pageSize=2&search=branch")
    assert manage["total"] == 1 and manage["pageSize"] == 2
    status, switcher = await admin.get("/api/directory/organization-switcher")
    assert status == 200
    assert switcher["isSuperAdmin"] is True and switcher["canManage"] is True
    assert switcher["tenantId"] == str(world.tenant_id)
    assert switcher["items"][0]["selectable"] is True and switcher["items"][0]["children"]
    status, switcher = await admin.get(
        "/api/directory/organization-switcher", headers={"Cookie": f"om_selected_org={world.branch_org}"}
    )
    assert switcher["selectedId"] == str(world.branch_org)


async def test_public_lookups(client, world, anonymous, admin):
    status, body = await anonymous.get(f"/api/directory/tenants/lookup?tenantId={world.tenant_id}")
    assert status == 200 and body["tenant"]["id"] == str(world.tenant_id)
    assert (await anonymous.get("/api/directory/tenants/lookup?tenantId=nope"))[0] == 400
    assert (
        await anonymous.get("/api/directory/tenants/lookup?tenantId=00000000-0000-4000-8000-000000000000")
    )[0] == 404
    _, org = await admin.post(
        "/api/directory/organizations", {"name": "Lookup Org", "slug": f"lookup-{world.tenant_id}"}
    )
    status, body = await anonymous.get(f"/api/directory/organizations/lookup?slug=lookup-{world.tenant_id}")
    assert status == 200 and body["organization"] == {
        "name": "Lookup Org",
        "slug": f"lookup-{world.tenant_id}",
    }
    status, body = await admin.get(f"/api/directory/organizations/lookup?slug=lookup-{world.tenant_id}")
    assert status == 200 and body["organization"]["id"] == org["id"]
    assert (await anonymous.get("/api/directory/organizations/lookup"))[0] == 400

"""configs: the process caches (counted and purged per tenant), the system status and the upgrade
actions."""

from __future__ import annotations

from crmgraph.app import STATE
from crmgraph.authn import process_cache
from tests.conftest import login
from tests.scheduler.conftest import ROLES


def cached_principals(client, tenant_id) -> tuple[int, int]:
    """(principals of ``tenant_id``, of other tenants) in the served app's process cache."""
    principals = process_cache(client.server.app[STATE]["sessionmaker"]).principals
    mine = sum(c.principal.tenant_id == tenant_id for c in list(principals.values()))
    return mine, len(principals) - mine


async def test_cache_reports_and_purges_the_callers_tenant(client, boss, planner, stranger, platform, sworld):
    for api in (boss, planner, stranger, platform):  # each request caches its principal, token, tree
        assert (await api.get("/api/scheduler/jobs?pageSize=1"))[0] in (200, 403)
    status, stats = await boss.get("/api/configs/cache")
    assert status == 200
    segments = stats["segments"]
    assert segments["auth.principals"] >= 2 and segments["auth.tokens"] >= 2  # boss and planner
    assert segments["directory.organization_trees"] == 1
    assert "feature_toggles.definitions" not in segments  # the platform's, not a tenant's
    assert stats["total"] == sum(segments.values())

    status, reply = await boss.post(
        "/api/configs/cache", {"action": "purgeSegment", "segment": "auth.principals"}
    )
    assert status == 200 and reply["action"] == "purgeSegment" and reply["deleted"] >= 2
    assert reply["stats"]["segments"]["auth.principals"] == 0
    # Only this tenant's entries went (the purge request itself re-cached the boss afterwards).
    _, others = cached_principals(client, sworld.tenant_id)
    assert others >= 2  # the stranger and the platform admin

    status, reply = await boss.post("/api/configs/cache", {"action": "purgeAll"})
    assert status == 200 and reply["segment"] is None and reply["deleted"] >= 1
    assert (await boss.get("/api/configs/cache"))[0] == 200  # reloaded from the database, not broken
    assert cached_principals(client, sworld.tenant_id)[1] == others
    assert (await boss.post("/api/configs/system-status"))[1] == {"cleared": True}
    assert cached_principals(client, sworld.tenant_id) == (0, others)

    status, reply = await boss.post("/api/configs/cache", {"action": "purgeSegment", "segment": "nope"})
    assert status == 400 and reply["details"][0]["path"] == ["segment"]
    assert (await boss.post("/api/configs/cache", {"action": "explode"}))[0] == 400
    # A platform admin sees the whole process, the platform's own segments included.
    platform_stats = (await platform.get("/api/configs/cache"))[1]
    assert "feature_toggles.definitions" in platform_stats["segments"]
    assert platform_stats["segments"]["auth.principals"] >= 2


async def test_cache_features(client, sessionmaker, sworld, boss):
    viewer = await login(client, sworld.emails["viewer"])
    assert (await viewer.get("/api/configs/cache"))[1]["requiredFeatures"] == ["configs.cache.view"]
    assert (await viewer.post("/api/configs/cache", {"action": "purgeAll"}))[0] == 403
    assert (await viewer.get("/api/configs/system-status"))[0] == 403
    assert (await viewer.get("/api/configs/upgrade-actions"))[0] == 403
    assert "configs.*" in ROLES["planner"]


async def test_system_status(boss):
    status, body = await boss.get("/api/configs/system-status")
    assert status == 200 and body["runtimeMode"] == "development" and body["generatedAt"].endswith("Z")
    categories = {c["key"]: {i["key"]: i for i in c["items"]} for c in body["categories"]}
    assert set(categories) == {"services", "versions", "runtime", "resources"}
    services = categories["services"]
    assert services["database"]["state"] == "up" and services["redis"]["state"] == "up"
    assert services["worker"]["state"] in ("up", "down")  # the heartbeat of a worker process, if any
    versions = categories["versions"]
    assert versions["application"]["value"] == "0.1.0" and versions["postgresql"]["state"] == "set"
    assert versions["redis"]["state"] == "set" and versions["schemaRevision"]["value"]
    runtime = categories["runtime"]
    assert runtime["graphqlCompile"]["kind"] == "boolean" and runtime["smtpConfigured"]["value"] is False
    assert categories["resources"]["maxResidentMemoryMb"]["value"] > 0
    text = str(body)
    assert "postgresql+asyncpg" not in text and "redis://" not in text  # never a URL or credential


async def test_upgrade_actions_run_once(boss, planner, stranger):
    status, pending = await planner.get("/api/configs/upgrade-actions")
    assert status == 200 and pending["version"] == "0.1.0"
    assert [a["id"] for a in pending["actions"]] == ["scheduler.default_schedules"]
    assert pending["actions"][0]["ctaLabel"] == "Install schedules"

    status, reply = await planner.post(
        "/api/configs/upgrade-actions", {"actionId": "scheduler.default_schedules"}
    )
    assert (status, reply) == (
        200,
        {"status": "completed", "message": "Default schedules installed", "version": "0.1.0"},
    )
    page = (await planner.get("/api/scheduler/jobs", params={"search": "Nightly clean-up"}))[1]
    assert page["total"] == 1 and page["items"][0]["targetQueue"] == "scheduler_prune_executions"
    assert (await planner.get("/api/configs/upgrade-actions"))[1]["actions"] == []
    status, reply = await planner.post(
        "/api/configs/upgrade-actions", {"actionId": "scheduler.default_schedules"}
    )
    assert status == 409
    assert (await planner.post("/api/configs/upgrade-actions", {"actionId": "nope"}))[0] == 404
    # Per organization: the boss's (root) organization and another tenant still have it pending.
    assert len((await boss.get("/api/configs/upgrade-actions"))[1]["actions"]) == 1
    assert len((await stranger.get("/api/configs/upgrade-actions"))[1]["actions"]) == 1


async def test_a_platform_admin_works_in_the_selected_tenant(platform, boss, sworld):
    """Upgrade actions and toggle overrides apply to the tenant a platform admin selected, and an
    organization of that tenant must be selected for the actions (its home one does not count)."""
    tenant = {"Cookie": f"om_selected_tenant={sworld.tenant_id}"}
    status, reply = await platform.get("/api/configs/upgrade-actions", headers=tenant)
    assert (status, reply["error"]) == (400, "Organization context is required")
    chosen = {"Cookie": f"om_selected_tenant={sworld.tenant_id}; om_selected_org={sworld.root_org}"}
    status, reply = await platform.post(
        "/api/configs/upgrade-actions", {"actionId": "scheduler.default_schedules"}, headers=chosen
    )
    assert status == 200, reply
    assert (await boss.get("/api/configs/upgrade-actions"))[1]["actions"] == []  # done for the root org
    nightly = (await boss.get("/api/scheduler/jobs", params={"search": "Nightly clean-up"}))[1]["items"]
    assert [item["organizationId"] for item in nightly] == [str(sworld.root_org)]

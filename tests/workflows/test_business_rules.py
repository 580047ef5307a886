"""Business rules: conditions in the safe expression language (never eval), execution with
guards, dry runs and logs, rule sets with members, features, and isolation across tenants."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from resolvers.business_rules.expressions import ExpressionError, evaluate
from tests.workflows.conftest import make_rule


@pytest.mark.parametrize(
    ("source", "payload", "expected"),
    [
        (
            "total >= 1000 and customer.tier in ['gold', 'platinum']",
            {"total": "1500.00", "customer": {"tier": "gold"}},
            True,
        ),
        ("0.1 + 0.2 == 0.3", {}, True),  # exact decimals, never floats
        ("items[1].qty * price > 10", {"items": [{"qty": 1}, {"qty": 3}], "price": "3.50"}, True),
        ("not missing.deeply and len(tags) == 2", {"tags": ["a", "b"]}, True),
        ("lower(status) != 'closed' or total < null", {"status": "CLOSED", "total": 1}, False),
        ("", {}, True),
    ],
)
def test_expressions_evaluate_over_the_payload(source, payload, expected):
    assert evaluate(source, payload) is expected


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os').system('id')",
        "x.__class__",
        "(lambda: 1)()",
        "[a for a in b]",
        "open('f')",
        "a if b else c",
        "1 +",
    ],
)
def test_anything_outside_the_language_is_refused(source):
    with pytest.raises(ExpressionError):
        evaluate(source, {"a": 1, "b": [1], "x": Decimal(1)})


async def test_rules_are_written_checked_and_guarded_by_features(boss, editor, member):
    status, reply = await editor.post(
        "/api/business_rules/rules",
        {"ruleId": "bad", "ruleName": "Bad", "entityType": "order", "conditionExpression": "x.__class__"},
    )
    assert status == 400 and reply["details"][0]["code"] == "invalid_expression", reply
    status, reply = await editor.post(
        "/api/business_rules/rules",
        {"ruleId": "bad", "ruleName": "Bad", "entityType": "order", "ruleType": "MAGIC"},
    )
    assert status == 400, reply
    rule = await make_rule(editor)
    status, reply = await editor.get(f"/api/business_rules/rules/{rule}")
    assert status == 200 and reply["conditionExpression"] == "total < 1000"
    assert reply["createdBy"].startswith("editor-") and reply["updatedBy"] is None
    assert (await editor.put("/api/business_rules/rules", {"id": rule, "priority": 5}))[1] == {"ok": True}
    status, reply = await editor.get(f"/api/business_rules/rules/{rule}")
    assert reply["priority"] == 5 and reply["updatedBy"].startswith("editor-")
    status, reply = await editor.post(f"/api/business_rules/execute/{rule}", {"data": {}})
    assert status == 403 and reply["requiredFeatures"] == ["business_rules.execute"]
    status, reply = await member.get("/api/business_rules/rules")
    assert status == 403 and reply["requiredFeatures"] == ["business_rules.view"]
    assert (await editor.post("/api/business_rules/sets", {"setId": "s", "setName": "S"}))[0] == 403
    assert (await editor.delete(f"/api/business_rules/rules?id={rule}"))[0] == 200
    assert (await editor.get(f"/api/business_rules/rules/{rule}"))[0] == 404


async def test_execution_guards_logs_and_dry_runs(boss):
    entity = f"order-{uuid.uuid4().hex[:6]}"
    guard = await make_rule(boss, entityType=entity, priority=1, failureActions=[{"type": "BLOCK"}])
    await make_rule(
        boss, entityType=entity, ruleType="CALCULATION", conditionExpression="total > 1000000", priority=2
    )
    broken = await make_rule(
        boss, entityType=entity, ruleType="ACTION", conditionExpression="total * 'x' > 1", priority=3
    )
    await make_rule(boss, entityType=entity, enabled=False)

    status, reply = await boss.post(
        "/api/business_rules/execute", {"entityType": entity, "data": {"total": "10.00"}}
    )
    assert status == 200 and reply["allowed"] is True, reply
    assert [r["conditionResult"] for r in reply["executedRules"]] == [True, False, False]
    assert [r["result"] for r in reply["executedRules"]] == ["SUCCESS", "FAILURE", "ERROR"]

    status, reply = await boss.post(
        "/api/business_rules/execute",
        {"entityType": entity, "entityId": "o-1", "data": {"total": "5000"}, "dryRun": True},
    )
    assert reply["allowed"] is False
    status, one = await boss.post(
        f"/api/business_rules/execute/{guard}", {"entityId": "o-1", "data": {"total": 5000}}
    )
    assert (
        one["success"] is True
        and one["conditionResult"] is False
        and one["actionsExecuted"] == [{"type": "BLOCK"}]
    )
    status, one = await boss.post(f"/api/business_rules/execute/{broken}", {"data": {"total": 1}})
    assert one["success"] is False

    status, logs = await boss.get(f"/api/business_rules/logs?entityType={entity}&pageSize=50")
    assert status == 200 and logs["total"] == 5, logs  # 3 + 2 single runs; the dry run wrote none
    status, logs = await boss.get(f"/api/business_rules/logs?ruleId={guard}&executionResult=FAILURE")
    assert logs["total"] == 1 and logs["items"][0]["ruleName"] == "Big orders need approval"
    status, log = await boss.get(f"/api/business_rules/logs/{logs['items'][0]['id']}")
    assert status == 200 and log["rule"]["id"] == guard and log["inputContext"] == {"total": 5000}


async def test_rule_sets_and_members(boss, stranger):
    status, created = await boss.post(
        "/api/business_rules/sets", {"setId": f"S-{uuid.uuid4().hex[:6]}", "setName": "Checkout"}
    )
    assert status == 201, created
    set_id = created["id"]
    first, second = await make_rule(boss), await make_rule(boss)
    members = f"/api/business_rules/sets/{set_id}/members"
    status, m1 = await boss.post(members, {"ruleId": second, "sequence": 2})
    assert status == 201, m1
    status, m2 = await boss.post(members, {"ruleId": first, "sequence": 1})
    assert (await boss.post(members, {"ruleId": first}))[0] == 409
    assert (await boss.post(members, {"ruleId": str(uuid.uuid4())}))[0] == 404
    assert (await boss.put(members, {"memberId": m2["id"], "sequence": 3, "enabled": False}))[1] == {
        "ok": True
    }
    status, detail = await boss.get(f"/api/business_rules/sets/{set_id}")
    assert [(m["ruleId"], m["sequence"], m["enabled"]) for m in detail["members"]] == [
        (second, 2, True),
        (first, 3, False),
    ]
    result = await boss.gql(
        f'{{ businessRuleSet(id: "{set_id}") {{ members {{ sequence rule {{ id }} }} }} }}'
    )
    assert sorted(m["rule"]["id"] for m in result["data"]["businessRuleSet"]["members"]) == sorted(
        [first, second]
    )

    # Another tenant: 404 for every id, empty lists.
    assert (await stranger.get(f"/api/business_rules/sets/{set_id}"))[0] == 404
    assert (await stranger.get(f"/api/business_rules/rules/{first}"))[0] == 404
    assert (await stranger.post(members, {"ruleId": first}))[0] == 404
    assert (await stranger.delete(f"{members}?memberId={m1['id']}"))[0] == 404
    assert (await stranger.post(f"/api/business_rules/execute/{first}", {"data": {}}))[0] == 404
    status, page = await stranger.get("/api/business_rules/rules")
    assert status == 200 and page["items"] == []
    status, reply = await stranger.post(
        "/api/business_rules/execute", {"entityType": "order", "data": {"total": 1}}
    )
    assert reply["executedRules"] == []
    assert (await stranger.gql(f'{{ businessRule(id: "{first}") {{ id }} }}'))["data"]["businessRule"] is None

    assert (await boss.delete(f"{members}?memberId={m1['id']}"))[1] == {"ok": True}
    status, detail = await boss.get(f"/api/business_rules/sets/{set_id}")
    assert [m["ruleId"] for m in detail["members"]] == [first]

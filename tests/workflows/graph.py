"""Seed for the executor-equivalence test: every relation of workflows and business_rules has an
edge (a definition with a paused instance, its events and user task; a rule in a set, executed)."""

from __future__ import annotations

from typing import Any

from tests.workflows.conftest import APPROVAL


async def seed_workflows_graph(api: Any, create: Any) -> None:
    status, reply = await api.post(
        "/api/workflows/definitions", {"workflowId": "equal", "workflowName": "Equal", "definition": APPROVAL}
    )
    assert status == 201, reply
    status, reply = await api.post(
        "/api/workflows/instances", {"workflowId": "equal", "context": {"amount": 5000}}
    )
    assert status == 201 and reply["data"]["status"] == "PAUSED", reply
    rule = await create(
        "/business_rules/rules",
        {"ruleId": "EQ-1", "ruleName": "Equal", "entityType": "order", "conditionExpression": "total > 1"},
    )
    rule_set = await create("/business_rules/sets", {"setId": "EQ", "setName": "Equal"})
    await create(f"/business_rules/sets/{rule_set}/members", {"ruleId": rule, "sequence": 1})
    status, reply = await api.post(f"/api/business_rules/execute/{rule}", {"data": {"total": 2}})
    assert status == 200, reply

"""Fixtures of the workflows and business_rules tests: one tenant (an admin, a rules editor without
execute rights, two plain members) and another tenant; module-scoped where they hold no state the
tests change in conflicting ways."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import Api, login
from tests.factories import World, make_world

ROLES = {
    "editor": ["business_rules.view", "business_rules.manage"],
    "member": [],
    "reviewer": [],
}

APPROVAL = {
    "steps": [
        {
            "stepId": "start",
            "stepName": "Start",
            "stepType": "START",
            "preConditions": [
                {"expression": "amount > 0", "message": "Amount must be positive", "field": "amount"}
            ],
        },
        {
            "stepId": "score",
            "stepName": "Score",
            "stepType": "AUTOMATED",
            "config": {"set": {"scored": True}},
        },
        {
            "stepId": "review",
            "stepName": "Manager review",
            "stepType": "USER_TASK",
            "userTaskConfig": {
                "formSchema": {
                    "required": ["decision"],
                    "properties": {"decision": {"type": "string", "enum": ["approve", "reject"]}},
                },
                "assignedToRoles": ["reviewer"],
            },
        },
        {
            "stepId": "wait-payment",
            "stepName": "Await payment",
            "stepType": "WAIT_FOR_SIGNAL",
            "signalName": "paid",
        },
        {"stepId": "archive", "stepName": "Archive", "stepType": "AUTOMATED"},
        {"stepId": "end", "stepName": "End", "stepType": "END"},
        {"stepId": "rejected", "stepName": "Rejected", "stepType": "END"},
    ],
    "transitions": [
        {"transitionId": "t1", "fromStepId": "start", "toStepId": "score", "trigger": "auto"},
        {"transitionId": "t2", "fromStepId": "score", "toStepId": "review", "condition": "amount >= 1000"},
        {
            "transitionId": "t2b",
            "fromStepId": "score",
            "toStepId": "wait-payment",
            "condition": "amount < 1000",
        },
        {
            "transitionId": "t3",
            "fromStepId": "review",
            "toStepId": "wait-payment",
            "condition": "decision == 'approve'",
        },
        {
            "transitionId": "t3b",
            "fromStepId": "review",
            "toStepId": "rejected",
            "condition": "decision == 'reject'",
        },
        {"transitionId": "t4", "fromStepId": "wait-payment", "toStepId": "archive", "trigger": "auto"},
        {"transitionId": "t5", "fromStepId": "archive", "toStepId": "end", "trigger": "manual"},
    ],
}


@pytest.fixture(scope="module")
async def wworld(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles=ROLES)


@pytest.fixture(scope="module")
async def away(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles={"member": []})


@pytest.fixture
async def boss(client: Any, wworld: World) -> Api:
    return await login(client, wworld.admin_email)


@pytest.fixture
async def editor(client: Any, wworld: World) -> Api:
    return await login(client, wworld.emails["editor"])


@pytest.fixture
async def member(client: Any, wworld: World) -> Api:
    return await login(client, wworld.emails["member"])


@pytest.fixture
async def reviewer(client: Any, wworld: World) -> Api:
    return await login(client, wworld.emails["reviewer"])


@pytest.fixture
async def stranger(client: Any, away: World) -> Api:
    return await login(client, away.admin_email)


async def define(api: Api, definition: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    body = {
        "workflowId": f"approval-{uuid.uuid4().hex[:8]}",
        "workflowName": "Approval",
        "definition": definition or APPROVAL,
        **extra,
    }
    status, reply = await api.post("/api/workflows/definitions", body)
    assert status == 201, reply
    return reply["data"]


async def start(api: Api, workflow_id: str, **body: Any) -> dict[str, Any]:
    status, reply = await api.post("/api/workflows/instances", {"workflowId": workflow_id, **body})
    assert status == 201, reply
    return reply["data"]


async def make_rule(api: Api, **fields: Any) -> str:
    body = {
        "ruleId": f"R-{uuid.uuid4().hex[:8]}",
        "ruleName": "Big orders need approval",
        "ruleType": "GUARD",
        "entityType": "order",
        "conditionExpression": "total < 1000",
        **fields,
    }
    status, reply = await api.post("/api/business_rules/rules", body)
    assert status == 201, reply
    return reply["id"]

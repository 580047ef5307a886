"""Compound and guarded writes of the insurance module: the lead inject is one command (one
action-log entry, undone as one), caretakers must be users of the tenant, attachments delete."""

from __future__ import annotations

import pytest
from aiohttp import FormData
from sqlalchemy import select

from crmgraph.errors import BadRequest
from models.audit import ActionLog
from resolvers.undo import undo
from tests.conftest import login
from tests.customers.test_compound_commands import request_context
from tests.factories import make_world
from tests.insurance.test_leads import WIZARD, inject_body


async def test_lead_inject_is_one_command_and_undoes_as_one(settings, sessionmaker, rec, admin, world):
    status, body = await admin.post("/api/insurance/leads/inject", inject_body(world, "undo-lead", WIZARD))
    assert status == 201, body
    async with sessionmaker() as session:
        log = await session.scalar(select(ActionLog).where(ActionLog.resource_id == body["id"]))
    assert log.command_id == "insurance.leads.inject"
    kinds = [s["resourceKind"] for s in log.snapshot_before["steps"]]
    assert kinds == ["customers.person", "insurance.lead"]

    ctx = await request_context(settings, sessionmaker, admin)
    await undo(ctx, log.undo_token)
    assert (await rec.list("/insurance/leads", id=body["id"]))["items"] == []
    assert (await rec.list("/customers/people", ids=body["referringPartnerEntityId"]))["items"] == []
    with pytest.raises(BadRequest):
        await undo(ctx, log.undo_token)


async def test_caretaker_must_be_a_user_of_the_tenant(client, sessionmaker, rec, admin, world):
    insurer = await rec.insurer()
    me = (await admin.gql("{ me { userId } }"))["data"]["me"]["userId"]
    await rec.policy(insurer, "C-1", caretakerUserId=me)
    stranger_world = await make_world(sessionmaker)
    stranger = await login(client, stranger_world.admin_email)
    their_id = (await stranger.gql("{ me { userId } }"))["data"]["me"]["userId"]
    status, body = await admin.post(
        "/api/insurance/policies", {"policyNumber": "C-2", "insurerId": insurer, "caretakerUserId": their_id}
    )
    assert status == 404 and body == {"error": "Caretaker not found"}


async def test_an_attachment_can_be_deleted_over_graphql(rec, admin):
    lead = await rec.lead()
    form = FormData()
    form.add_field("file", b"x", filename="x.txt", content_type="text/plain")
    status, body = await admin.post(f"/api/insurance/leads/{lead}/attachments", data=form)
    assert status == 201
    attachment = body["item"]["id"]
    result = await admin.gql(f'mutation {{ deleteInsuranceLeadAttachment(id: "{attachment}") }}')
    assert result["data"] == {"deleteInsuranceLeadAttachment": True}
    result = await admin.gql(f'{{ insuranceLead(id: "{lead}") {{ attachments {{ id }} }} }}')
    assert result["data"]["insuranceLead"]["attachments"] == []

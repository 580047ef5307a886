"""Inbox ops: extraction, the proposal/action lifecycle, records created through the customers and
sales services, the signed webhook, settings, errors and isolation across REST and GraphQL."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from models.inbox_ops import InboxSettings
from resolvers.inbox_ops import webhook
from resolvers.ratelimits import Budget
from tests.inbox_ops.conftest import ORDER_TEXT, WEBHOOK, extract, patch, proposal, signed

P = "/api/inbox_ops/proposals"


def by_type(detail: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["actionType"]: a for a in detail["actions"]}


async def test_extraction_proposes_contact_order_and_reply(admin):
    made = await extract(admin)
    detail = await proposal(admin, made["proposalId"])
    assert detail["proposal"]["category"] == "order" and detail["proposal"]["status"] == "pending"
    actions = by_type(detail)
    assert set(actions) == {"create_contact", "create_order", "draft_reply"}
    contact = actions["create_contact"]["payload"]
    assert contact == {
        "firstName": "Jane",
        "lastName": "Doe",
        "email": "jane.doe@acme.test",
        "phone": "+48 600 100 200",
    }
    order = actions["create_order"]["payload"]
    assert (
        order["currencyCode"] == "EUR" and order["customerReference"] == "PO-77" and order["total"] == "37.50"
    )
    assert detail["discrepancies"] == [{"type": "missing_price", "message": "No unit price for Gadget"}]
    assert detail["email"]["id"] == made["emailId"] and detail["email"]["status"] == "processed"
    assert detail["proposal"]["confidence"] == "0.60"  # a Decimal, as a string


async def test_accept_creates_person_then_409_and_proposal_settles(admin):
    detail = await proposal(admin, (await extract(admin))["proposalId"])
    pid, actions = detail["proposal"]["id"], by_type(detail)
    contact = actions["create_contact"]["id"]
    status, reply = await admin.post(f"{P}/{pid}/actions/{contact}/accept")
    assert status == 200 and reply["createdEntityType"] == "customers.person", reply
    status, person = await admin.get("/api/customers/people", params={"ids": reply["createdEntityId"]})
    assert status == 200 and person["items"][0]["primary_email"] == "jane.doe@acme.test"
    assert reply["proposalStatus"] == "partial"
    status, again = await admin.post(f"{P}/{pid}/actions/{contact}/accept")
    assert status == 409, again
    status, _ = await admin.post(f"{P}/{pid}/actions/{actions['draft_reply']['id']}/reject")
    assert status == 200
    status, done = await patch(admin, f"{P}/{pid}/actions/{actions['create_order']['id']}/complete", {})
    assert status == 200 and done["action"]["status"] == "completed" and done["proposalStatus"] == "accepted"
    status, late = await admin.post(f"{P}/{pid}/reject")
    assert status == 409, late


async def test_accept_all_creates_order_and_queues_reply(admin):
    detail = await proposal(admin, (await extract(admin))["proposalId"])
    pid = detail["proposal"]["id"]
    status, reply = await admin.post(f"{P}/{pid}/accept-all")
    assert status == 200 and reply["status"] == "accepted", reply
    created = {a["actionType"]: a for a in reply["actions"]}
    status, orders = await admin.get(
        "/api/sales/orders", params={"ids": created["create_order"]["createdEntityId"]}
    )
    assert status == 200 and orders["items"][0]["customerReference"] == "PO-77"
    assert created["draft_reply"]["createdEntityType"] == "mail"


async def test_failed_action_rolls_back_whole(clerk, admin):
    """The clerk may not create people: 403, and nothing of accept-all is kept."""
    detail = await proposal(clerk, (await extract(clerk))["proposalId"])
    pid = detail["proposal"]["id"]
    status, reply = await clerk.post(f"{P}/{pid}/accept-all")
    assert status == 403 and reply["requiredFeatures"], reply
    after = await proposal(clerk, pid)
    assert (
        all(a["status"] == "pending" for a in after["actions"]) and after["proposal"]["status"] == "pending"
    )


async def test_edit_categorize_translate_counts_reprocess(admin):
    made = await extract(admin, text="Is the blue model available?")
    detail = await proposal(admin, made["proposalId"])
    pid, reply_action = detail["proposal"]["id"], by_type(detail)["draft_reply"]
    assert detail["proposal"]["category"] == "inquiry"
    status, edited = await patch(
        admin, f"{P}/{pid}/actions/{reply_action['id']}", {"payload": {"body": "Yes."}}
    )
    assert status == 200 and edited["action"]["payload"]["body"] == "Yes."
    status, bad = await patch(admin, f"{P}/{pid}/actions/{reply_action['id']}", {"payload": {"evil": 1}})
    assert status == 400 and bad["details"], bad
    status, moved = await admin.post(f"{P}/{pid}/categorize", {"category": "support"})
    assert status == 200 and moved["category"] == "support" and moved["previousCategory"] == "inquiry"
    status, bad = await admin.post(f"{P}/{pid}/categorize", {"category": "spam"})
    assert status == 400 and bad["error"]
    status, translated = await admin.post(f"{P}/{pid}/translate", {"targetLocale": "de"})
    assert (
        status == 200
        and translated["summary"].startswith("Support von Jane Doe")
        and not translated["cached"]
    )
    status, cached = await admin.post(f"{P}/{pid}/translate", {"targetLocale": "de"})
    assert cached["cached"] and cached["summary"] == translated["summary"]
    status, counts = await admin.get(f"{P}/counts")
    assert status == 200 and counts["byCategory"]["support"] >= 1 and counts["byStatus"]["pending"] >= 1
    status, again = await admin.post(f"/api/inbox_ops/emails/{made['emailId']}/reprocess")
    assert status == 200 and again["proposal"]["id"] != pid
    assert (await proposal(admin, pid))["proposal"]["status"] == "rejected"  # superseded


async def test_send_reply_threads_and_needs_feature(admin, clerk):
    detail = await proposal(admin, (await extract(admin))["proposalId"])
    pid, reply_action = detail["proposal"]["id"], by_type(detail)["draft_reply"]
    status, denied = await clerk.post(f"{P}/{pid}/replies/{reply_action['id']}/send")
    assert status == 403 and denied["requiredFeatures"] == ["inbox_ops.replies.send"]
    contact = by_type(detail)["create_contact"]["id"]
    status, _ = await admin.post(f"{P}/{pid}/replies/{contact}/send")
    assert status == 404
    status, sent = await admin.post(f"{P}/{pid}/replies/{reply_action['id']}/send")
    assert status == 200 and sent["action"]["status"] == "accepted" and sent["mailId"], sent


async def test_settings_and_signed_webhook(admin, client, sessionmaker):
    status, got = await admin.get("/api/inbox_ops/settings")
    assert status == 200 and got["settings"]["forwardingAddress"].startswith("inbox+")
    settings = got["settings"]
    async with sessionmaker() as session:
        stored = await session.scalar(
            select(InboxSettings.webhook_secret).where(
                InboxSettings.forwarding_token == settings["forwardingAddress"].split("+")[1].split("@")[0]
            )
        )
    assert stored and settings["webhookSecret"] not in stored  # sealed at rest
    body = {"to": settings["forwardingAddress"], "from": "Bob Smith <bob@shop.test>", "subject": "Hi",
            "text": "1 x Lamp @ 10.00", "messageId": "<m1@shop.test>"}  # fmt: skip
    raw, headers = signed(settings["webhookSecret"], body)
    response = await client.post(WEBHOOK, data=raw, headers=headers)
    assert response.status == 202, await response.text()
    email_id = (await response.json())["emailId"]
    duplicate = await client.post(WEBHOOK, data=raw, headers=headers)
    assert duplicate.status == 200 and (await duplicate.json())["duplicate"]
    forged = await client.post(WEBHOOK, data=raw, headers={**headers, "X-Inbox-Signature": "0" * 64})
    assert forged.status == 401
    unknown = await client.post(WEBHOOK, data=b"not json", headers=headers)
    assert unknown.status == 400 and "error" in await unknown.json()
    status, email = await admin.get(f"/api/inbox_ops/emails/{email_id}")
    assert status == 200 and email["fromAddress"] == "bob@shop.test" and email["fromName"] == "Bob Smith"
    status, saved = await patch(
        admin, "/api/inbox_ops/settings", {"isActive": False, "workingLanguage": "pl"}
    )
    assert status == 200 and saved["settings"]["isActive"] is False
    raw, headers = signed(settings["webhookSecret"], {**body, "messageId": "<m2@shop.test>"})
    off = await client.post(WEBHOOK, data=raw, headers=headers)
    assert off.status == 200 and (await off.json())["accepted"] is False
    status, bad = await patch(admin, "/api/inbox_ops/settings", {"workingLanguage": "xx"})
    assert status == 400 and bad["details"]


async def test_email_archive_delete_and_errors(admin, viewer, client):
    made = await extract(admin)
    path = f"/api/inbox_ops/emails/{made['emailId']}"
    status, archived = await patch(admin, path, {"isArchived": True})
    assert status == 200 and archived["email"]["isArchived"] is True
    status, listed = await admin.get("/api/inbox_ops/emails", params={"isArchived": "true"})
    assert made["emailId"] in [e["id"] for e in listed["items"]]
    status, denied = await viewer.post(f"{P}/{made['proposalId']}/reject")
    assert status == 403 and denied == {
        "error": "Forbidden",
        "requiredFeatures": ["inbox_ops.proposals.manage"],
    }
    assert (await client.get("/api/inbox_ops/proposals")).status == 401
    status, bad = await admin.post("/api/inbox_ops/extract", {"text": ORDER_TEXT, "fromAddress": "nope"})
    assert status == 400 and bad["details"]
    status, _ = await admin.delete(path)
    assert status == 200
    status, _ = await admin.get(path)
    assert status == 404


async def test_isolation_rest_and_graphql(admin, stranger):
    made = await extract(admin)
    detail = await proposal(admin, made["proposalId"])
    pid, action = made["proposalId"], detail["actions"][0]["id"]
    for method, path in [
        ("GET", f"{P}/{pid}"),
        ("POST", f"{P}/{pid}/accept-all"),
        ("POST", f"{P}/{pid}/actions/{action}/accept"),
        ("POST", f"{P}/{pid}/reject"),
        ("GET", f"/api/inbox_ops/emails/{made['emailId']}"),
        ("POST", f"/api/inbox_ops/emails/{made['emailId']}/reprocess"),
    ]:
        status, _ = await stranger.call(method, path)
        assert status == 404, (method, path)
    status, page = await stranger.get(P)
    assert pid not in [p["id"] for p in page["items"]]
    query = "{ inboxProposals { items { id } } inboxEmails { items { id } } }"
    status, reply = await stranger.post("/graphql", {"query": query})
    assert status == 200 and not reply.get("errors"), reply
    assert pid not in str(reply) and made["emailId"] not in str(reply)
    mutation = "mutation($id: String!) { inboxOpsRejectProposal(id: $id) { id status actions { status } } }"
    status, reply = await stranger.post("/graphql", {"query": mutation, "variables": {"id": pid}})
    assert reply.get("errors") and reply["errors"][0]["message"] == "Proposal not found", reply
    status, reply = await admin.post("/graphql", {"query": mutation, "variables": {"id": pid}})
    rejected = reply["data"]["inboxOpsRejectProposal"]
    assert rejected["status"] == "rejected" and {a["status"] for a in rejected["actions"]} == {"rejected"}, (
        reply
    )
    status, mine = await admin.post(
        "/graphql", {"query": "{ inboxProposals { items { id actions { actionType } email { id } } } }"}
    )
    assert pid in str(mine) and "create_contact" in str(mine), mine


async def test_webhook_is_rate_limited_per_tenant(admin, client, monkeypatch):
    monkeypatch.setattr(webhook, "BUDGET", Budget(f"inbox-test-{uuid.uuid4().hex[:6]}", 1, 60))
    settings = (await admin.get("/api/inbox_ops/settings"))[1]["settings"]
    answers = []
    for n in range(2):
        body = {"to": settings["forwardingAddress"], "from": "a@b.test", "text": "hi", "messageId": f"<r{n}>"}
        raw, headers = signed(settings["webhookSecret"], body)
        answers.append((await client.post(WEBHOOK, data=raw, headers=headers)).status)
    assert answers == [202, 429]

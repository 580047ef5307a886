"""E-mail links (unguessable, stored hashed, expiring, limited uses) and message actions (once, by a
recipient, before they expire), confirmations."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from models.auth import EmailOutbox
from models.messages import MessageAccessToken
from resolvers.messages.tokens import MAX_USES
from tests.messages.conftest import compose, unread

LINK = re.compile(r"/api/messages/token/([A-Za-z0-9_\-]+)")


async def mailed_token(sessionmaker, message_id: str) -> str:
    async with sessionmaker() as session:
        bodies = (await session.execute(select(EmailOutbox.body, EmailOutbox.expires_at))).all()
    for body, expires_at in bodies:
        found = LINK.search(body)
        if found and message_id in await _message_of(sessionmaker, found.group(1)):
            assert expires_at is not None  # a secret-bearing mail expires with its link
            return found.group(1)
    raise AssertionError("no link mailed")


async def _message_of(sessionmaker, token: str) -> str:
    digest = hashlib.sha256(token.encode()).hexdigest()
    async with sessionmaker() as session:
        return str(
            await session.scalar(
                select(MessageAccessToken.message_id).where(MessageAccessToken.token_hash == digest)
            )
        )


async def test_a_mailed_link_opens_the_message_until_it_expires(users, anonymous, sessionmaker):
    (agent, _), (mechanic, mechanic_id) = users["agent"], users["mechanic"]
    sent = await compose(agent, [mechanic_id], subject="Invoice", body="Due Friday", sendViaEmail=True)
    token = await mailed_token(sessionmaker, sent["id"])
    async with sessionmaker() as session:
        stored = (await session.execute(select(MessageAccessToken.token_hash))).scalars().all()
    assert token not in stored and hashlib.sha256(token.encode()).hexdigest() in stored  # only a digest

    assert await unread(mechanic) == 1
    status, body = await anonymous.get(f"/api/messages/token/{token}")
    assert status == 200, body
    assert (
        body["id"] == sent["id"] and body["subject"] == "Invoice" and body["recipientUserId"] == mechanic_id
    )
    assert body["requiresAuth"] is False and body["objects"] == []
    assert await unread(mechanic) == 0  # opening the link read it

    assert (await anonymous.get(f"/api/messages/token/{token}x"))[0] == 404
    async with sessionmaker() as session:
        await session.execute(
            update(MessageAccessToken)
            .where(MessageAccessToken.token_hash == hashlib.sha256(token.encode()).hexdigest())
            .values(use_count=MAX_USES)
        )
        await session.commit()
    status, body = await anonymous.get(f"/api/messages/token/{token}")
    assert (status, body) == (409, {"error": "This link can no longer be used"})
    async with sessionmaker() as session:
        await session.execute(
            update(MessageAccessToken)
            .where(MessageAccessToken.token_hash == hashlib.sha256(token.encode()).hexdigest())
            .values(use_count=0, expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
        await session.commit()
    status, body = await anonymous.get(f"/api/messages/token/{token}")
    assert (status, body) == (410, {"error": "This link has expired"})


async def test_a_link_to_a_message_asking_for_action_needs_its_recipient(users, anonymous, sessionmaker):
    (agent, _), (mechanic, mechanic_id), (outsider, _) = users["agent"], users["mechanic"], users["outsider"]
    status, person = await agent.post("/api/customers/people", {"firstName": "Anna", "lastName": "Kowalska"})
    assert status == 201, person
    objects = [
        {
            "entityModule": "customers",
            "entityType": "person",
            "entityId": person["id"],
            "actionRequired": True,
            "actionType": "view",
        }
    ]
    sent = await compose(agent, [mechanic_id], sendViaEmail=True, objects=objects)
    token = await mailed_token(sessionmaker, sent["id"])
    assert (await anonymous.get(f"/api/messages/token/{token}")) == (200, {"requiresAuth": True})
    status, body = await outsider.get(f"/api/messages/token/{token}")
    assert status == 403 and body["requiresAuth"] is True
    status, body = await mechanic.get(f"/api/messages/token/{token}")
    assert status == 200 and body["objects"][0]["snapshot"]["label"] == "Anna Kowalska"


async def test_a_confirmation_is_taken_once_by_a_recipient(users):
    (agent, _), (mechanic, mechanic_id), (outsider, outsider_id) = (
        users["agent"],
        users["mechanic"],
        users["outsider"],
    )
    sent = await compose(
        agent, [mechanic_id, outsider_id], type="messages.confirmation", subject="Terms", body="OK?"
    )
    status, detail = await mechanic.get(f"/api/messages/{sent['id']}")
    assert [a["id"] for a in detail["actionData"]["actions"]] == ["confirmation"]
    status, body = await mechanic.get(f"/api/messages/{sent['id']}/confirmation")
    assert body == {
        "messageId": sent["id"],
        "confirmed": False,
        "confirmedAt": None,
        "confirmedByUserId": None,
    }

    assert (await agent.post(f"/api/messages/{sent['id']}/actions/confirmation"))[0] == 404  # the sender
    assert (await mechanic.post(f"/api/messages/{sent['id']}/actions/nope"))[0] == 404
    status, body = await mechanic.post(f"/api/messages/{sent['id']}/actions/confirmation")
    assert status == 200 and body["ok"] is True and body["actionId"] == "confirmation"
    status, body = await agent.get(f"/api/messages/{sent['id']}/confirmation")
    assert body["confirmed"] is True and body["confirmedByUserId"] == mechanic_id and body["confirmedAt"]
    status, body = await outsider.post(f"/api/messages/{sent['id']}/actions/confirmation")
    assert status == 409 and body["actionTaken"] == "confirmation"
    status, detail = await agent.get(f"/api/messages/{sent['id']}")
    assert detail["actionTaken"] == "confirmation" and detail["actionTakenByUserId"] == mechanic_id


async def test_offered_actions_expire_and_links_are_not_terminal(users):
    (agent, _), (mechanic, mechanic_id) = users["agent"], users["mechanic"]
    actions = {"actions": [{"id": "open", "label": "Open", "href": "/backend/messages/{messageId}"}]}
    sent = await compose(agent, [mechanic_id], actionData=actions)
    status, body = await mechanic.post(f"/api/messages/{sent['id']}/actions/open")
    assert status == 200 and body["result"] == {"redirect": f"/backend/messages/{sent['id']}"}
    assert (await mechanic.post(f"/api/messages/{sent['id']}/actions/open"))[0] == 200  # a link stays

    expired = {**actions, "expiresAt": (datetime.now(UTC) - timedelta(hours=1)).isoformat()}
    old = await compose(agent, [mechanic_id], actionData=expired)
    status, body = await mechanic.post(f"/api/messages/{old['id']}/actions/open")
    assert (status, body) == (410, {"error": "Actions have expired"})
    unsafe = {"actions": [{"id": "x", "label": "X", "href": "javascript:alert(1)"}]}
    assert (
        await agent.post(
            "/api/messages",
            {"recipients": [{"userId": mechanic_id}], "subject": "s", "body": "b", "actionData": unsafe},
        )
    )[0] == 400
    commands = {"actions": [{"id": "x", "label": "X", "commandId": "auth.users.delete"}]}
    status, body = await agent.post(
        "/api/messages",
        {"recipients": [{"userId": mechanic_id}], "subject": "s", "body": "b", "actionData": commands},
    )
    assert status == 400 and body["details"][0]["path"] == ["actionData", "actions", 0, "commandId"]
    assert uuid.UUID(sent["id"])

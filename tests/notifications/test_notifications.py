"""Notifications: each user reads and changes only their own; sending reaches users of the caller's
tenant only (given ids, a role, holders of a feature); actions run once; events are recorded."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import unquote

from sqlalchemy import select

from models.auth import EmailOutbox
from models.events import OutboxEvent
from models.notifications import Notification
from tests.conftest import login
from tests.notifications.conftest import send, user_id

DOCUMENTED_KEYS = {
    "id", "type", "title", "body", "titleKey", "bodyKey", "titleVariables", "bodyVariables", "icon",
    "severity", "status", "actions", "sourceModule", "sourceEntityType", "sourceEntityId", "linkHref",
    "createdAt", "readAt", "actionTaken",
}  # fmt: skip


async def listed(api: Any, query: str = "") -> list[dict[str, Any]]:
    status, page = await api.get(f"/api/notifications{query}")
    assert status == 200, page
    return page["items"]


async def unread(api: Any) -> int:
    status, body = await api.get("/api/notifications/unread-count")
    assert status == 200, body
    return body["unreadCount"]


async def test_the_recipient_alone_sees_and_changes_a_notification(sender, member, colleague, ids):
    notification = await send(sender, ids["member"], title="Bike ready", severity="success")

    items = await listed(member)
    assert [i["id"] for i in items] == [notification]
    assert set(items[0]) >= DOCUMENTED_KEYS and items[0]["status"] == "unread"
    assert items[0]["title"] == "Bike ready" and items[0]["actions"] == []
    assert await unread(member) == 1
    # The sender and a colleague of the same tenant do not see it; its id is "not found" to them.
    assert await listed(sender) == [] and await listed(colleague) == []
    for path in ("read", "dismiss", "restore"):
        assert (await colleague.put(f"/api/notifications/{notification}/{path}"))[0] == 404
    status, body = await colleague.post(f"/api/notifications/{notification}/action", {"actionId": "x"})
    assert (status, body) == (404, {"error": "Not found"})
    reply = await colleague.gql(
        f'{{ notification(id: "{notification}") {{ id }} notifications {{ total }} }}'
    )
    assert reply["data"] == {"notification": None, "notifications": {"total": 0}}

    assert (await member.put(f"/api/notifications/{notification}/read")) == (200, {"ok": True})
    assert await unread(member) == 0
    assert (await listed(member))[0]["readAt"] is not None


async def test_another_tenant_sees_nothing_and_cannot_target_its_users(
    sender, stranger, away, ids, sessionmaker
):
    notification = await send(sender, ids["member"])
    assert (await stranger.put(f"/api/notifications/{notification}/read"))[0] == 404
    reply = await stranger.gql(f'{{ notification(id: "{notification}") {{ id }} }}')
    assert reply["data"]["notification"] is None
    foreign = await user_id(sessionmaker, away.emails["member"])
    status, foreign_reply = await sender.post("/api/notifications", {"type": "t", "recipientUserId": foreign})
    status_random, random_reply = await sender.post(
        "/api/notifications", {"type": "t", "recipientUserId": str(uuid.uuid4())}
    )
    assert status == status_random == 400
    assert foreign_reply == random_reply  # the same answer: nothing tells the id exists elsewhere


async def test_sending_needs_the_feature_and_documented_input(member, sender, ids):
    status, body = await member.post("/api/notifications", {"type": "t", "recipientUserId": ids["colleague"]})
    assert status == 403 and body["requiredFeatures"] == ["notifications.create"]
    status, body = await sender.post("/api/notifications", {"recipientUserId": ids["colleague"]})
    assert status == 400 and body["details"][0]["path"] == ["type"]
    bad_link = {"type": "t", "recipientUserId": ids["member"], "linkHref": "javascript:alert(1)"}
    assert (await sender.post("/api/notifications", bad_link))[0] == 400
    unknown_command = {
        "type": "t",
        "recipientUserId": ids["member"],
        "actions": [{"id": "go", "label": "Go", "commandId": "auth.users.delete"}],
    }
    status, body = await sender.post("/api/notifications", unknown_command)
    assert status == 400 and body["details"][0]["path"] == ["actions", 0, "commandId"]
    # The documented example (type and recipient only): the title falls back to the type.
    notification = await send(sender, ids["member"], title=None, type="cases.assigned")
    assert (await listed(member))[0]["id"] == notification and (await listed(member))[0][
        "title"
    ] == "cases.assigned"


async def test_batch_is_all_or_nothing_and_role_and_feature_stay_in_the_tenant(
    sender, member, colleague, boss, stranger, nworld, away, ids, sessionmaker
):
    body = {
        "type": "t",
        "title": "All hands",
        "recipientUserIds": [ids["member"], ids["colleague"], ids["member"]],
    }
    status, reply = await sender.post("/api/notifications/batch", body)
    assert status == 201 and reply["ok"] and reply["count"] == 2
    assert len(await listed(member)) == 1 and len(await listed(colleague)) == 1
    with_random = {**body, "recipientUserIds": [ids["colleague"], str(uuid.uuid4())]}
    status, reply = await sender.post("/api/notifications/batch", with_random)
    assert status == 400 and reply["details"][0]["path"] == ["recipientUserIds", 1]
    assert len(await listed(colleague)) == 1  # nothing was sent

    status, reply = await sender.post(
        "/api/notifications/role", {"type": "t", "title": "Members", "roleId": str(nworld.role_ids["member"])}
    )
    assert status == 201 and reply["count"] == 1 and len(await listed(member)) == 2
    foreign_role = {"type": "t", "title": "x", "roleId": str(away.role_ids["member"])}
    assert (await sender.post("/api/notifications/role", foreign_role))[0] == 400

    # Holders of a feature: the manager, and the super admin (who holds every feature); no one of
    # the other tenant, whose admin holds it too.
    status, reply = await sender.post(
        "/api/notifications/feature",
        {"type": "t", "title": "Settings", "requiredFeature": "notifications.manage"},
    )
    assert status == 201 and reply["count"] == 2, reply
    async with sessionmaker() as session:
        recipients = set(
            (
                await session.execute(
                    select(Notification.recipient_user_id).where(Notification.id.in_(reply["ids"]))
                )
            ).scalars()
        )
    assert {str(r) for r in recipients} == {ids["manager"], ids["admin"]}
    assert await listed(stranger) == []
    unknown = {"type": "t", "title": "x", "requiredFeature": "no.such.feature"}
    assert (await sender.post("/api/notifications/feature", unknown))[0] == 400


async def test_mark_all_read_marks_only_mine_and_undo_restores_them(sender, member, colleague, ids):
    for _ in range(2):
        await send(sender, ids["member"])
    await send(sender, ids["colleague"])
    response = await member.client.put("/api/notifications/mark-all-read", headers=member.headers)
    assert response.status == 200 and await response.json() == {"ok": True, "count": 2}
    assert await unread(member) == 0 and await unread(colleague) == 1
    assert (await member.put("/api/notifications/mark-all-read"))[1] == {"ok": True, "count": 0}

    operation = json.loads(unquote(response.headers["x-om-operation"].removeprefix("omop:")))
    status, body = await member.post(
        "/api/audit_logs/audit-logs/actions/undo", {"undoToken": operation["undoToken"]}
    )
    assert status == 200, body
    assert await unread(member) == 2 and await unread(colleague) == 1


async def test_dismiss_and_restore(sender, member, ids):
    notification = await send(sender, ids["member"])
    assert (await member.put(f"/api/notifications/{notification}/dismiss"))[0] == 200
    assert (await listed(member, "?status=dismissed"))[0]["id"] == notification
    assert await listed(member, "?status=unread,read") == []
    assert (await member.put(f"/api/notifications/{notification}/restore", {"status": "unread"}))[0] == 200
    assert (await listed(member))[0]["status"] == "unread" and await unread(member) == 1
    assert (await member.put(f"/api/notifications/{notification}/restore", {"status": "gone"}))[0] == 400


async def test_an_action_runs_once_and_its_result_is_kept(sender, member, ids):
    actions = [
        {"id": "open", "label": "Open", "href": "/backend/cases/{sourceEntityId}"},
        {"id": "ack", "label": "Got it"},
    ]
    source = str(uuid.uuid4())
    notification = await send(
        sender, ids["member"], actions=actions, primaryActionId="open", sourceEntityId=source
    )
    assert (await listed(member))[0]["actions"][0]["id"] == "open"
    status, body = await member.post(f"/api/notifications/{notification}/action", {"actionId": "nope"})
    assert status == 400
    status, body = await member.post(f"/api/notifications/{notification}/action", {"actionId": "open"})
    assert status == 200 and body == {
        "ok": True,
        "result": {"redirect": f"/backend/cases/{source}"},
        "href": f"/backend/cases/{source}",
    }
    item = (await listed(member))[0]
    assert item["status"] == "actioned" and item["actionTaken"] == "open" and item["readAt"]
    status, body = await member.post(f"/api/notifications/{notification}/action", {"actionId": "ack"})
    assert status == 409 and body["code"] == "notification_action_already_executed"


async def test_an_action_command_runs_with_the_recipients_rights(sender, boss, ids, client, nworld):
    """A notification offering the message confirmation: the recipient confirms through it."""
    writer = await login(client, nworld.emails["writer"])
    status, message = await boss.post(
        "/api/messages",
        {"recipients": [{"userId": ids["writer"]}], "subject": "Pickup", "body": "Friday 10:00"},
    )
    assert status == 201, message
    actions = [{"id": "confirm", "label": "Confirm", "commandId": "messages.confirmations.confirm"}]
    notification = await send(sender, ids["writer"], actions=actions)
    status, body = await writer.post(
        f"/api/notifications/{notification}/action",
        {"actionId": "confirm", "payload": {"messageId": message["id"]}},
    )
    assert status == 200, body
    assert body["result"]["confirmed"] is True and body["result"]["confirmedByUserId"] == ids["writer"]
    status, confirmation = await boss.get(f"/api/messages/{message['id']}/confirmation")
    assert confirmation["confirmed"] is True
    # The same action for someone without the command's feature fails, and leaves it unactioned.
    notification = await send(sender, ids["colleague"], actions=actions)
    colleague = await login(client, nworld.emails["colleague"])
    status, body = await colleague.post(
        f"/api/notifications/{notification}/action",
        {"actionId": "confirm", "payload": {"messageId": message["id"]}},
    )
    assert status == 403
    assert (await listed(colleague))[0]["status"] == "unread"


async def test_a_group_key_refreshes_instead_of_piling_up(sender, member, ids):
    first = await send(sender, ids["member"], groupKey="thread:1", title="One new message")
    await member.put(f"/api/notifications/{first}/read")
    second = await send(sender, ids["member"], groupKey="thread:1", title="Two new messages")
    assert second == first
    items = await listed(member)
    assert len(items) == 1 and items[0]["title"] == "Two new messages" and items[0]["status"] == "unread"


async def test_each_delivery_records_its_event(sender, ids, sessionmaker):
    notification = await send(sender, ids["member"], title="Secret plans")
    async with sessionmaker() as session:
        event = await session.scalar(
            select(OutboxEvent).where(
                OutboxEvent.name == "notifications.notification.created",
                OutboxEvent.payload["id"].astext == notification,
            )
        )
    assert event is not None
    assert event.payload["recipientUserId"] == ids["member"]
    assert "Secret plans" not in json.dumps(event.payload)  # who it is for, not what it says


async def test_settings_need_the_feature_and_enable_mail(manager, member, sender, ids, sessionmaker):
    status, body = await member.get("/api/notifications/settings")
    assert status == 403 and body["requiredFeatures"] == ["notifications.manage"]
    status, body = await manager.get("/api/notifications/settings")
    assert status == 200 and body["settings"]["strategies"]["email"]["enabled"] is False
    settings = {
        "strategies": {"email": {"enabled": True, "subjectPrefix": "[Moto] "}, "database": {"enabled": False}}
    }
    status, body = await manager.post("/api/notifications/settings", settings)
    assert status == 200 and body["ok"] is True
    assert body["settings"]["strategies"]["database"]["enabled"] is True  # storing cannot be turned off
    assert (await manager.post("/api/notifications/settings", {"panelPath": "javascript:x"}))[0] == 400

    await send(sender, ids["member"], title="Tyres arrived", linkHref="/backend/resources")
    async with sessionmaker() as session:
        mail = await session.scalar(select(EmailOutbox).where(EmailOutbox.subject == "[Moto] Tyres arrived"))
    assert mail is not None and mail.body.endswith("/backend/resources")


async def test_graphql_lists_filters_and_mutations(sender, member, ids):
    first = await send(sender, ids["member"], severity="warning")
    await send(sender, ids["member"], severity="info")
    reply = await member.gql(
        '{ notifications(filter: {severity: "warning"}) { total items { id severity recipient { id } } } }'
    )
    assert reply["data"]["notifications"]["total"] == 1
    assert reply["data"]["notifications"]["items"][0]["id"] == first
    reply = await member.gql(f'mutation {{ markNotificationRead(id: "{first}") {{ id status readAt }} }}')
    assert reply["data"]["markNotificationRead"]["status"] == "read"
    reply = await member.gql("{ notificationUnreadCount { unreadCount } }")
    assert reply["data"]["notificationUnreadCount"]["unreadCount"] == 1
    reply = await sender.gql(
        f'mutation {{ createNotification(type: "t", title: "Hi", recipientUserId: "{ids["member"]}") {{ id }} }}'
    )
    assert uuid.UUID(reply["data"]["createNotification"]["id"])

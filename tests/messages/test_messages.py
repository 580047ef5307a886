"""Messages between users of a tenant: folders and unread counts per recipient, conversations,
replies, drafts, blind copies, and isolation between users of one tenant and between tenants."""

from __future__ import annotations

import uuid

from tests.messages.conftest import compose, inbox, unread

LIST_KEYS = {
    "id", "type", "visibility", "sourceEntityType", "sourceEntityId", "externalEmail", "externalName",
    "subject", "bodyPreview", "senderUserId", "senderName", "senderEmail", "priority", "status",
    "hasObjects", "objectCount", "hasAttachments", "attachmentCount", "recipientCount", "hasActions",
    "actionTaken", "sentAt", "readAt", "threadId",
}  # fmt: skip
DETAIL_KEYS = {
    "id", "type", "isDraft", "canEditDraft", "visibility", "typeDefinition", "threadId", "parentMessageId",
    "senderUserId", "senderName", "senderEmail", "subject", "body", "bodyFormat", "priority", "sentAt",
    "actionData", "actionTaken", "actionTakenAt", "actionTakenByUserId", "recipients", "objects", "thread",
    "isRead",
}  # fmt: skip


async def test_a_message_reaches_its_recipients_only(users):
    (agent, _), (mechanic, mechanic_id), (outsider, _) = users["agent"], users["mechanic"], users["outsider"]
    sent = await compose(agent, [mechanic_id], subject="Slot B4", body="Prepare slot B4 please")
    assert uuid.UUID(sent["threadId"]) == uuid.UUID(sent["id"])  # a new conversation

    items = await inbox(mechanic)
    assert [i["id"] for i in items] == [sent["id"]]
    assert set(items[0]) >= LIST_KEYS and items[0]["status"] == "unread" and items[0]["recipientCount"] == 1
    assert await unread(mechanic) == 1
    assert [i["id"] for i in await inbox(agent, "?folder=sent")] == [sent["id"]]
    assert await inbox(agent) == []  # the sender's inbox

    status, detail = await mechanic.get(f"/api/messages/{sent['id']}")
    assert status == 200 and set(detail) >= DETAIL_KEYS and detail["body"] == "Prepare slot B4 please"
    assert detail["thread"][0]["id"] == sent["id"] and detail["typeDefinition"]["allowReply"] is True
    assert await unread(mechanic) == 0  # reading marks it read

    # A colleague of the same tenant is not a participant: the message does not exist for them.
    for method, path in (
        ("GET", ""),
        ("GET", "/attachments"),
        ("GET", "/confirmation"),
        ("GET", "/forward-preview"),
        ("PUT", "/read"),
        ("PUT", "/archive"),
        ("DELETE", ""),
        ("DELETE", "/conversation"),
    ):
        status, body = await outsider.call(method, f"/api/messages/{sent['id']}{path}")
        assert status == 404, (method, path, body)
    assert (await outsider.post(f"/api/messages/{sent['id']}/reply", {"body": "me too"}))[0] == 404
    assert await inbox(outsider, "?folder=all") == []
    reply = await outsider.gql(f'{{ message(id: "{sent["id"]}") {{ id }} messages {{ total }} }}')
    assert reply["data"] == {"message": None, "messages": {"total": 0}}


async def test_another_tenant_can_neither_read_nor_address(users, away):
    (agent, _), (_, mechanic_id) = users["agent"], users["mechanic"]
    stranger, foreign_user = away
    sent = await compose(agent, [mechanic_id])
    assert (await stranger.get(f"/api/messages/{sent['id']}"))[0] == 404
    reply = await stranger.gql(
        f'{{ message(id: "{sent["id"]}") {{ id }} messageInbox(folder: "all") {{ total }} }}'
    )
    assert reply["data"]["message"] is None and reply["data"]["messageInbox"]["total"] == 0
    to_foreign = {"recipients": [{"userId": foreign_user}], "subject": "s", "body": "b"}
    to_random = {"recipients": [{"userId": str(uuid.uuid4())}], "subject": "s", "body": "b"}
    status, foreign_reply = await agent.post("/api/messages", to_foreign)
    status_random, random_reply = await agent.post("/api/messages", to_random)
    assert status == status_random == 400 and foreign_reply == random_reply
    assert foreign_reply["details"][0]["path"] == ["recipients", 0]


async def test_documented_errors(users):
    (agent, _), (_mechanic, mechanic_id), (reader, _) = users["agent"], users["mechanic"], users["reader"]
    status, body = await reader.post("/api/messages", {"recipients": [{"userId": mechanic_id}]})
    assert status == 403 and body["requiredFeatures"] == ["messages.compose"]
    status, body = await agent.post("/api/messages", {"recipients": [], "subject": "s", "body": "b"})
    assert status == 400 and body["details"][0]["path"] == ["recipients"]
    status, body = await agent.post("/api/messages", {"recipients": [{"userId": mechanic_id}]})
    assert status == 400 and {tuple(d["path"]) for d in body["details"]} == {("subject",), ("body",)}
    twice = {"recipients": [{"userId": mechanic_id}, {"userId": mechanic_id}], "subject": "s", "body": "b"}
    assert (await agent.post("/api/messages", twice))[0] == 400
    assert (await agent.post("/api/messages", {"type": "nope", "subject": "s", "body": "b"}))[0] == 400
    public = {"visibility": "public", "subject": "s", "body": "b"}
    status, body = await agent.post("/api/messages", public)
    assert status == 400 and body["details"][0]["path"] == ["externalEmail"]
    assert (await agent.get("/api/messages/not-a-uuid"))[0] == 400
    assert (await agent.get(f"/api/messages/{uuid.uuid4()}"))[0] == 404
    assert (await agent.get("/api/messages?folder=spam"))[0] == 400


async def test_replies_stay_in_the_conversation(users):
    (agent, agent_id), (mechanic, mechanic_id), (outsider, outsider_id) = (
        users["agent"],
        users["mechanic"],
        users["outsider"],
    )
    sent = await compose(agent, [mechanic_id, outsider_id], subject="Club ride")
    status, answer = await mechanic.post(f"/api/messages/{sent['id']}/reply", {"body": "I am in"})
    assert status == 201, answer
    status, detail = await agent.get(f"/api/messages/{answer['id']}")
    assert detail["threadId"] == sent["threadId"] and detail["parentMessageId"] == sent["id"]
    assert detail["subject"] == "Re: Club ride" and [r["userId"] for r in detail["recipients"]] == [agent_id]
    assert [m["id"] for m in detail["thread"]] == [sent["id"], answer["id"]]
    # The outsider was not on the reply: their view of the conversation has the first message only.
    status, seen = await outsider.get(f"/api/messages/{sent['id']}")
    assert [m["id"] for m in seen["thread"]] == [sent["id"]]

    status, everyone = await mechanic.post(
        f"/api/messages/{sent['id']}/reply", {"body": "All?", "replyAll": True}
    )
    status, detail = await agent.get(f"/api/messages/{everyone['id']}")
    assert {r["userId"] for r in detail["recipients"]} == {agent_id, outsider_id}
    status, again = await agent.post(f"/api/messages/{everyone['id']}/reply", {"body": "Re again"})
    status, detail = await agent.get(f"/api/messages/{again['id']}")
    assert detail["subject"] == "Re: Club ride" and [r["userId"] for r in detail["recipients"]] == [
        mechanic_id
    ]


async def test_blind_copies_are_shown_to_the_sender_and_the_copied_user_only(users):
    (agent, _), (mechanic, mechanic_id), (outsider, outsider_id) = (
        users["agent"],
        users["mechanic"],
        users["outsider"],
    )
    recipients = [{"userId": mechanic_id, "type": "to"}, {"userId": outsider_id, "type": "bcc"}]
    status, sent = await agent.post("/api/messages", {"recipients": recipients, "subject": "s", "body": "b"})
    assert status == 201
    query = f'{{ message(id: "{sent["id"]}") {{ recipients {{ recipientUserId recipientType }} }} }}'
    seen = {}
    for name, api in (("agent", agent), ("mechanic", mechanic), ("outsider", outsider)):
        status, detail = await api.get(f"/api/messages/{sent['id']}?skipMarkRead=1")
        graph = (await api.gql(query))["data"]["message"]["recipients"]
        seen[name] = {r["userId"] for r in detail["recipients"]}
        assert seen[name] == {r["recipientUserId"] for r in graph}, name
    assert seen == {
        "agent": {mechanic_id, outsider_id},
        "mechanic": {mechanic_id},
        "outsider": {mechanic_id, outsider_id},
    }
    status, answer = await mechanic.post(
        f"/api/messages/{sent['id']}/reply", {"body": "ok", "replyAll": True}
    )
    status, detail = await agent.get(f"/api/messages/{answer['id']}")
    assert outsider_id not in {r["userId"] for r in detail["recipients"]}  # reply-all never reveals a bcc


async def test_read_archive_and_delete_change_only_my_copy(users):
    (agent, _), (mechanic, mechanic_id), (outsider, outsider_id) = (
        users["agent"],
        users["mechanic"],
        users["outsider"],
    )
    sent = await compose(agent, [mechanic_id, outsider_id])
    message = sent["id"]
    assert (await mechanic.put(f"/api/messages/{message}/read")) == (200, {"ok": True})
    assert await unread(mechanic) == 0 and await unread(outsider) == 1
    assert (await mechanic.delete(f"/api/messages/{message}/read"))[0] == 200
    assert await unread(mechanic) == 1
    assert (await mechanic.put(f"/api/messages/{message}/archive"))[0] == 200
    assert await inbox(mechanic) == [] and [i["id"] for i in await inbox(mechanic, "?folder=archived")] == [
        message
    ]
    assert await unread(mechanic) == 0  # archived is out of the inbox count
    assert (await mechanic.delete(f"/api/messages/{message}/archive"))[0] == 200
    assert [i["status"] for i in await inbox(mechanic)] == ["unread"]
    # The sender has no copy to archive or mark.
    assert (await agent.put(f"/api/messages/{message}/archive"))[0] == 404

    assert (await mechanic.delete(f"/api/messages/{message}")) == (200, {"ok": True})
    assert await inbox(mechanic, "?folder=all") == []
    assert (await mechanic.get(f"/api/messages/{message}"))[0] == 404
    assert [i["id"] for i in await inbox(outsider)] == [message]
    assert (await agent.delete(f"/api/messages/{message}"))[0] == 200  # gone from the sent folder
    assert await inbox(agent, "?folder=sent") == [] and [i["id"] for i in await inbox(outsider)] == [message]


async def test_conversation_commands_count_what_they_changed(users):
    (agent, _), (mechanic, mechanic_id) = users["agent"], users["mechanic"]
    first = await compose(agent, [mechanic_id], subject="Thread")
    status, answer = await mechanic.post(f"/api/messages/{first['id']}/reply", {"body": "ok"})
    second = await compose(
        agent, [mechanic_id], parentMessageId=answer["id"], subject="Re: Thread", body="more"
    )
    assert second["threadId"] == first["threadId"]
    assert await unread(mechanic) == 2

    status, body = await mechanic.put(f"/api/messages/{second['id']}/conversation/archive")
    assert (status, body) == (200, {"ok": True, "affectedCount": 2})
    assert await inbox(mechanic) == [] and len(await inbox(mechanic, "?folder=archived")) == 2
    status, body = await mechanic.delete(f"/api/messages/{first['id']}/conversation/read")
    assert (status, body) == (200, {"ok": True, "affectedCount": 0})  # both are unread already
    await mechanic.put(f"/api/messages/{first['id']}/read")
    status, body = await mechanic.delete(f"/api/messages/{first['id']}/conversation/read")
    assert body == {"ok": True, "affectedCount": 1}
    status, body = await mechanic.delete(f"/api/messages/{first['id']}/conversation")
    assert body == {"ok": True, "affectedCount": 3}  # two copies and the reply they sent
    assert await inbox(mechanic, "?folder=all") == []
    assert len(await inbox(agent, "?folder=sent")) == 2


async def test_drafts_are_the_senders_until_sent(users):
    (agent, _), (mechanic, mechanic_id) = users["agent"], users["mechanic"]
    draft = await compose(agent, [mechanic_id], isDraft=True, subject="", body="")
    assert await inbox(mechanic, "?folder=all") == [] and await unread(mechanic) == 0
    assert [i["status"] for i in await inbox(agent, "?folder=drafts")] == ["draft"]
    assert (await mechanic.get(f"/api/messages/{draft['id']}"))[0] == 404
    status, body = await agent.call("PATCH", f"/api/messages/{draft['id']}", json={"isDraft": False})
    assert status == 400  # incomplete: no subject, no body
    status, body = await agent.call(
        "PATCH",
        f"/api/messages/{draft['id']}",
        json={"subject": "Quote", "body": "See attached", "isDraft": False},
    )
    assert (status, body) == (200, {"ok": True})
    assert [i["subject"] for i in await inbox(mechanic)] == ["Quote"]
    status, body = await agent.call("PATCH", f"/api/messages/{draft['id']}", json={"subject": "Changed"})
    assert status == 409
    assert (await mechanic.call("PATCH", f"/api/messages/{draft['id']}", json={"subject": "x"}))[0] == 403
    other = await compose(agent, [mechanic_id], isDraft=True)
    assert (await agent.delete(f"/api/messages/{other['id']}"))[0] == 200
    assert [i["subject"] for i in await inbox(agent, "?folder=drafts")] == []


async def test_a_message_on_a_case_joins_its_timeline(users, away):
    (agent, _), (mechanic, mechanic_id) = users["agent"], users["mechanic"]
    status, case = await agent.post("/api/cases", {"title": "Brakes squeal"})
    assert status == 201, case
    sent = await compose(agent, [mechanic_id], caseId=case["id"], subject="Brakes", body="Pads ordered")
    status, timeline = await agent.get(f"/api/cases/{case['id']}/messages")
    assert status == 200 and timeline["items"][0]["data"]["messageId"] == sent["id"]
    assert [i["id"] for i in await inbox(mechanic, f"?caseId={case['id']}")] == [sent["id"]]
    stranger, _ = away
    status, foreign_case = await stranger.post("/api/cases", {"title": "Elsewhere"})
    status, body = await agent.post(
        "/api/messages",
        {"recipients": [{"userId": mechanic_id}], "subject": "s", "body": "b", "caseId": foreign_case["id"]},
    )
    assert status == 400 and body["details"][0]["path"] == ["caseId"]


async def test_recipients_are_notified_once_per_conversation(users):
    (agent, _), (mechanic, mechanic_id) = users["agent"], users["mechanic"]
    first = await compose(agent, [mechanic_id], subject="Parts")
    await compose(agent, [mechanic_id], parentMessageId=first["id"], subject="Re: Parts", body="and oil")
    status, page = await mechanic.get("/api/notifications?type=messages.new")
    assert status == 200 and page["total"] == 1
    assert (
        page["items"][0]["sourceEntityType"] == "messages.message" and page["items"][0]["status"] == "unread"
    )


async def test_graphql_folders_edges_and_mutations(users):
    (agent, agent_id), (mechanic, mechanic_id) = users["agent"], users["mechanic"]
    mutation = (
        'mutation($to: UUID!) { composeMessage(subject: "GQL", body: "hello", '
        'recipients: [{userId: $to, type: "to"}]) { id threadId sender { id } recipients { recipientUserId } } }'
    )
    reply = await agent.gql(mutation, {"to": mechanic_id})
    message = reply["data"]["composeMessage"]
    assert message["sender"] == {"id": agent_id} and message["recipients"] == [
        {"recipientUserId": mechanic_id}
    ]
    reply = await mechanic.gql(
        f'mutation {{ replyToMessage(id: "{message["id"]}", body: "hi back") {{ id parent {{ id }} thread {{ id conversation {{ id }} }} }} }}'
    )
    answer = reply["data"]["replyToMessage"]
    assert answer["parent"] == {"id": message["id"]} and answer["thread"]["id"] == message["id"]
    assert {m["id"] for m in answer["thread"]["conversation"]} == {message["id"], answer["id"]}
    reply = await mechanic.gql('{ messageInbox(folder: "inbox") { total items { id status senderUserId } } }')
    assert reply["data"]["messageInbox"]["items"][0]["id"] == message["id"]
    reply = await agent.gql(
        f'{{ messages(filter: {{threadId: "{message["threadId"]}"}}) {{ total items {{ replies {{ id }} }} }} }}'
    )
    assert reply["data"]["messages"]["total"] == 2
    reply = await mechanic.gql(f'mutation {{ archiveMessage(id: "{message["id"]}") {{ id }} }}')
    assert reply["data"]["archiveMessage"] == {"id": message["id"]}
    reply = await mechanic.gql("{ messageUnreadCount { unreadCount } }")
    assert reply["data"]["messageUnreadCount"]["unreadCount"] == 0


async def test_types_and_object_types(users):
    (agent, _), (reader, _) = users["agent"], users["reader"]
    status, body = await reader.get("/api/messages/types")
    assert status == 200 and {"default", "messages.confirmation"} <= {t["type"] for t in body["items"]}
    status, body = await reader.get("/api/messages/object-types?messageType=default")
    assert status == 403 and body["requiredFeatures"] == ["messages.compose"]
    status, body = await agent.get("/api/messages/object-types?messageType=default")
    assert status == 200 and ("customers", "person") in {
        (i["module"], i["entityType"]) for i in body["items"]
    }
    assert (await agent.get("/api/messages/object-types?messageType=nope"))[0] == 400
    assert (await agent.get("/api/messages/object-types"))[0] == 400

"""Files of messages: uploaded to drafts through the platform storage, copied (not duplicated) by
forwards and replies, readable by participants only, removed from storage once unused."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from models.messages import MessageAttachment
from tests.messages.conftest import compose, upload


async def files_on_disk(settings) -> int:
    return sum(1 for p in Path(settings.storage_dir).rglob("*") if p.is_file())


async def test_forward_keeps_the_files(users, sessionmaker):
    (agent, _), (mechanic, mechanic_id), (outsider, outsider_id) = (
        users["agent"],
        users["mechanic"],
        users["outsider"],
    )
    draft = await compose(agent, [mechanic_id], isDraft=True, subject="Quote", body="Attached")
    status, added = await upload(agent, draft["id"], b"%PDF-1.4 quote", "quote.pdf")
    assert status == 200 and added["ok"] is True, added
    attachment = added["attachments"][0]
    assert attachment["fileName"] == "quote.pdf" and attachment["fileSize"] == len(b"%PDF-1.4 quote")
    assert (await agent.call("PATCH", f"/api/messages/{draft['id']}", json={"isDraft": False}))[0] == 200

    status, listing = await mechanic.get(f"/api/messages/{draft['id']}/attachments")
    assert status == 200 and [a["id"] for a in listing["attachments"]] == [attachment["id"]]
    response = await mechanic.client.get(attachment["url"], headers=mechanic.headers)
    assert response.status == 200 and await response.read() == b"%PDF-1.4 quote"
    assert (await outsider.get(attachment["url"]))[0] == 404  # not a participant

    status, forwarded = await mechanic.post(
        f"/api/messages/{draft['id']}/forward", {"recipients": [{"userId": outsider_id}], "body": "FYI"}
    )
    assert status == 201, forwarded
    status, listing = await outsider.get(f"/api/messages/{forwarded['id']}/attachments")
    copy = listing["attachments"][0]
    assert copy["id"] != attachment["id"] and copy["fileName"] == "quote.pdf"
    response = await outsider.client.get(copy["url"], headers=outsider.headers)
    assert await response.read() == b"%PDF-1.4 quote"
    status, detail = await outsider.get(f"/api/messages/{forwarded['id']}")
    assert detail["subject"] == "Fwd: Quote" and detail["body"].startswith("FYI")
    assert "---------- Forwarded message ----------" in detail["body"] and "Attached" in detail["body"]
    async with sessionmaker() as session:  # one stored file, two rows
        keys = await session.scalar(
            select(func.count(func.distinct(MessageAttachment.storage_key))).where(
                MessageAttachment.id.in_([attachment["id"], copy["id"]])
            )
        )
    assert keys == 1

    status, without = await mechanic.post(
        f"/api/messages/{draft['id']}/forward",
        {"recipients": [{"userId": outsider_id}], "includeAttachments": False},
    )
    assert (await outsider.get(f"/api/messages/{without['id']}/attachments"))[1]["attachments"] == []


async def test_only_the_sender_changes_files_and_only_on_drafts(users):
    (agent, _), (mechanic, mechanic_id), (reader, _) = users["agent"], users["mechanic"], users["reader"]
    sent = await compose(agent, [mechanic_id])
    status, body = await upload(agent, sent["id"], b"late")
    assert status == 409 and body["error"] == "Attachments can only be modified on drafts"
    assert (await upload(mechanic, sent["id"], b"not mine"))[0] == 403
    assert (await upload(reader, sent["id"], b"x"))[0] == 403  # no messages.attach_files
    draft = await compose(agent, [mechanic_id], isDraft=True)
    assert (await upload(mechanic, draft["id"], b"x"))[0] == 404  # a draft is the sender's alone


async def test_files_are_linked_by_id_never_by_storage_key(users, settings):
    (agent, _), (mechanic, mechanic_id) = users["agent"], users["mechanic"]
    draft = await compose(agent, [mechanic_id], isDraft=True)
    status, added = await upload(agent, draft["id"], b"original")
    first = added["attachments"][0]
    second = await compose(agent, [mechanic_id], isDraft=True)
    # A JSON body cannot name a stored file: only a multipart part fills ``file``.
    forged = {
        "file": {"key": "0" * 32, "filename": "x", "contentType": "text/plain", "size": 1, "sha256": "0"}
    }
    status, body = await agent.post(f"/api/messages/{second['id']}/attachments", forged)
    assert status == 400, body
    status, body = await agent.post(
        f"/api/messages/{second['id']}/attachments", {"attachmentIds": [first["id"]]}
    )
    assert status == 200 and body["attachments"][0]["fileName"] == first["fileName"]
    mechanic_draft = await compose(mechanic, [mechanic_id], isDraft=True)
    status, body = await mechanic.post(
        f"/api/messages/{mechanic_draft['id']}/attachments", {"attachmentIds": [first["id"]]}
    )
    assert status == 400  # another user's draft file is not theirs to copy


async def test_removing_a_file_frees_storage_once_unused(users, settings):
    (agent, _), (_mechanic, mechanic_id) = users["agent"], users["mechanic"]
    draft = await compose(agent, [mechanic_id], isDraft=True)
    status, added = await upload(agent, draft["id"], b"shared bytes")
    original = added["attachments"][0]
    other = await compose(agent, [mechanic_id], isDraft=True)
    status, linked = await agent.post(
        f"/api/messages/{other['id']}/attachments", {"attachmentIds": [original["id"]]}
    )
    before = await files_on_disk(settings)
    status, body = await agent.delete(
        f"/api/messages/{draft['id']}/attachments", json={"attachmentId": original["id"]}
    )
    assert (status, body) == (200, {"ok": True})
    assert await files_on_disk(settings) == before  # still used by the other draft
    copy = linked["attachments"][0]
    status, body = await agent.delete(
        f"/api/messages/{other['id']}/attachments", json={"attachmentIds": [copy["id"]]}
    )
    assert status == 200 and await files_on_disk(settings) == before - 1
    assert (await agent.delete(f"/api/messages/{other['id']}/attachments", json={}))[0] == 400

"""The live event stream brings a user the events of their own notifications (and of their own
message copies), and nobody else's."""

from __future__ import annotations

import asyncio

from tests.conftest import login
from tests.event_stream.conftest import TIMEOUT, sse
from tests.notifications.conftest import send


async def test_a_notification_reaches_its_recipients_stream_only(sender, member, colleague, ids):
    async with sse(member) as mine, sse(colleague) as theirs:
        notification = await send(sender, ids["member"], title="Bike ready")
        event = await asyncio.wait_for(mine.event(), TIMEOUT)
        assert event["event"] == "notifications.notification.created"
        assert event["data"]["payload"]["id"] == notification
        assert "Bike ready" not in str(event["data"])
        await send(sender, ids["colleague"])  # the colleague's next event is their own notification
        event = await asyncio.wait_for(theirs.event(), TIMEOUT)
        assert event["data"]["payload"]["recipientUserId"] == ids["colleague"]


async def test_a_message_copy_reaches_its_owners_stream(boss, client, nworld, ids):
    writer = await login(client, nworld.emails["writer"])
    status, sent = await boss.post(
        "/api/messages", {"recipients": [{"userId": ids["writer"]}], "subject": "Live", "body": "Now"}
    )
    assert status == 201, sent
    async with sse(writer) as stream:
        assert (await writer.put(f"/api/messages/{sent['id']}/archive"))[0] == 200
        event = await asyncio.wait_for(stream.event(), TIMEOUT)
        assert event["event"] == "messages.message_recipient.archived"
        assert event["data"]["payload"]["messageId"] == sent["id"]

"""The todo event probe (recipients only from the caller's tenant) and the QA capture of the
module's events by a real arq worker, per tenant, cleared on request."""

from __future__ import annotations

from arq import Worker

from tests.example.conftest import created
from workers.settings import worker_settings


async def run_worker(settings) -> None:
    worker = Worker(**worker_settings(settings, burst=True, poll_delay=0.05, cron_jobs=[]))
    try:
        await worker.async_run()
    finally:
        await worker.close()


async def test_probe_checks_recipients_and_the_capture_is_per_tenant(boss, stranger, eworld, settings):
    status, foreign_users = await stranger.get("/api/example/assignees")
    foreign_user = foreign_users["items"][0]["value"]
    status, body = await boss.post("/api/example/assignees", {"recipientUserIds": [foreign_user]})
    assert status == 400 and body["details"][0]["path"] == ["recipientUserIds"]
    status, body = await boss.post("/api/example/assignees", {"eventId": "example.todo.exploded"})
    assert status == 400
    status, mine = await boss.get("/api/example/assignees")
    me = mine["items"][0]["value"]
    status, body = await boss.post(
        "/api/example/assignees",
        {
            "eventId": "example.todo.created",
            "payload": {"tenantId": "forged", "note": "hi"},
            "recipientUserId": me,
        },
    )
    assert status == 200 and body["ok"] is True and body["eventId"] == "example.todo.created"
    assert body["payload"]["tenantId"] == str(eworld.tenant_id)  # never the caller's say
    assert body["payload"]["recipientUserId"] == me and body["payload"]["clientBroadcast"] is True
    await created(boss, "/api/example/todos", {"title": "Captured"})
    await created(stranger, "/api/example/todos", {"title": "Theirs"})

    await run_worker(settings)

    status, captured = await boss.get("/api/example/qa-events")
    names = [e["event"] for e in captured["items"]]
    assert names[-2:] == ["example.todo.created", "example.example_todo.created"]
    assert captured["items"][-2]["payload"]["note"] == "hi" and captured["items"][-1]["capturedAt"].endswith(
        "Z"
    )
    status, theirs = await stranger.get("/api/example/qa-events")
    assert [e["event"] for e in theirs["items"]] == ["example.example_todo.created"]

    assert await stranger.delete("/api/example/qa-events") == (200, {"ok": True, "deleted": 1})
    assert len((await boss.get("/api/example/qa-events"))[1]["items"]) == len(names)  # mine untouched
    assert await boss.delete("/api/example/qa-events") == (200, {"ok": True, "deleted": len(names)})
    await run_worker(settings)  # clearing is recorded, but not captured
    assert (await boss.get("/api/example/qa-events"))[1]["items"] == []

from tests.customers.conftest import crm  # noqa

async def test_dbg(admin, crm):
    person = await crm.person("Casey", "Stoner", nextInteraction={"at": "2031-05-01T09:00:00Z", "name": "S"})
    logged = {"entityId": person, "interactionType": "call", "status": "done", "occurredAt": "2030-01-01T10:00:00Z"}
    print("POST", await admin.post("/api/customers/interactions", logged))
    status, body = await admin.get("/api/customers/people", params={"ids": person})
    print("RAW", body["items"][0]["next_interaction_at"])

"""Playbooks: CRUD with ordered steps, versions, the procedure-status dictionary and the match."""

from __future__ import annotations

from tests.cases.conftest import case, created, playbook


async def test_playbook_crud_and_steps(agent):
    playbook_id = await playbook(agent, contextTags=["Winter", "storage", "winter"])
    status, body = await agent.get("/api/playbooks", params={"ids": playbook_id})
    assert status == 200 and body["total"] == 1
    item = body["items"][0]
    assert item["slug"] == "winter-storage" and item["contextTags"] == ["winter", "storage"]
    assert item["version"] == 1 and item["isActive"] is True and item["audience"] == "internal"
    assert [s["order"] for s in item["procedureDefinition"]] == [1, 2, 3]
    status, _ = await agent.put(
        "/api/playbooks", {"id": playbook_id, "procedureDefinition": [{"title": "Only"}]}
    )
    assert status == 200
    item = (await agent.get("/api/playbooks", params={"slug": "winter-storage"}))[1]["items"][0]
    assert item["version"] == 2 and item["procedureDefinition"][0]["key"] == "step-1"
    status, _ = await agent.put("/api/playbooks", {"id": playbook_id, "publishedAt": "2030-01-01T00:00:00Z"})
    assert status == 200
    assert (await agent.get("/api/playbooks", params={"isActive": "false"}))[1]["total"] == 0
    assert (await agent.delete("/api/playbooks", json={"id": playbook_id}))[0] == 200


async def test_playbook_validation(agent, stranger):
    for body in (
        {"title": "x", "procedureDefinition": [{"description": "no title"}]},
        {"title": "x", "procedureDefinition": [{"key": "a", "title": "A"}, {"key": "a", "title": "B"}]},
        {"title": "x", "procedureDefinition": "steps"},
        {"title": "x", "audience": "everyone"},
        {"title": "x", "contextTags": [""]},
        {"title": " "},
    ):
        status, reply = await agent.post("/api/playbooks", body)
        assert status == 400, (body, reply)
        assert reply["error"] and reply["details"]
    await playbook(agent, "Duplicate")
    assert (await agent.post("/api/playbooks", {"title": "Duplicate"}))[0] == 409
    playbook_id = await playbook(agent, "Mine")
    assert (await stranger.put("/api/playbooks", {"id": playbook_id, "title": "theirs"}))[0] == 404


async def test_procedure_status_dictionary(reader, anonymous):
    status, body = await reader.get("/api/playbooks/dictionaries/procedure-status")
    assert status == 200
    values = {i["value"]: i for i in body["items"]}
    assert set(values) == {"pending", "in_progress", "blocked", "done", "skipped"}
    assert values["done"]["isTerminal"] and values["done"]["transitions"] == ["in_progress"]
    assert (await anonymous.get("/api/playbooks/dictionaries/procedure-status"))[0] == 401


async def test_match_scores_by_shared_context(agent, stranger):
    customer = await created(agent, "/api/customers/people", {"firstName": "V", "lastName": "Ip"})
    tag = await created(agent, "/api/customers/tags", {"label": "VIP"})
    assert (await agent.post("/api/customers/tags/assign", {"tagId": tag, "entityId": customer}))[0] in (
        200,
        201,
    )
    generic = await playbook(agent, "Generic")
    vip = await playbook(agent, "VIP urgent", contextTags=["vip", "priority:urgent"])
    await playbook(agent, "Fleet", contextTags=["fleet"])
    await playbook(agent, "Retired", isActive=False)
    case_id = await case(agent, customerEntityId=customer, priority="urgent")
    status, body = await agent.get("/api/playbooks/match", params={"caseId": case_id})
    assert status == 200, body
    ranked = [(i["id"], i["score"]) for i in body["items"]]
    assert ranked == [(vip, 2), (generic, 0)]
    assert body["items"][0]["matchedTags"] == ["priority:urgent", "vip"]
    by_tags = (await agent.get("/api/playbooks/match", params={"tags": "fleet"}))[1]["items"]
    assert [i["title"] for i in by_tags] == ["Fleet", "Generic"]
    assert (await stranger.get("/api/playbooks/match", params={"caseId": case_id}))[0] == 404
    assert (await agent.get("/api/playbooks/match", params={"caseId": "nope"}))[0] == 400

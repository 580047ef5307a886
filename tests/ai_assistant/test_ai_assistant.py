"""The AI assistant against a local OpenAI-compatible server: chat, tool calls run for the caller
within its features, routing, tools, session keys; the "not configured" answers; provider failures."""

from __future__ import annotations

from tests.ai_assistant.conftest import MODEL, tool_call
from tests.conftest import login

CHAT = "/api/ai_assistant/chat"


async def test_without_a_provider_every_answer_says_not_configured(client, aworld):
    api = await login(client, aworld.admin_email)
    status, settings = await api.get("/api/ai_assistant/settings")
    assert status == 200 and settings["configured"] is False and settings["baseUrl"] is None
    status, health = await api.get("/api/ai_assistant/health")
    assert (status, health["status"], health["configured"]) == (200, "not_configured", False)
    status, reply = await api.post(CHAT, {"message": "hi"})
    assert (status, reply["status"], reply["message"]) == (200, "not_configured", None)
    status, route = await api.post("/api/ai_assistant/route", {"query": "list integrations"})
    assert status == 200 and route["source"] == "keywords" and route["route"] == "integrations_list"


async def test_chat_health_and_provider_failures(openai, asker):
    fake, _ = openai
    fake.script = [{"role": "assistant", "content": "Hello!"}]
    status, health = await asker.get("/api/ai_assistant/health")
    assert (status, health["status"], health["model"]) == (200, "healthy", MODEL)
    status, reply = await asker.post(
        CHAT, {"messages": [{"role": "user", "content": "hi"}], "useTools": False}
    )
    assert status == 200 and reply["message"] == {"role": "assistant", "content": "Hello!"}
    assert (
        fake.requests[-1]["messages"] == [{"role": "user", "content": "hi"}]
        and "tools" not in fake.requests[-1]
    )
    status, reply = await asker.post(CHAT, {"messages": [{"role": "robot", "content": "hi"}]})
    assert status == 400
    fake.down = True
    try:
        status, reply = await asker.post(CHAT, {"message": "hi"})
        assert status == 502 and "503" in reply["error"]
        status, health = await asker.get("/api/ai_assistant/health")
        assert health["status"] == "unhealthy"
    finally:
        fake.down = False


async def test_tool_calls_run_for_the_caller(openai, asker, plain):
    fake, _ = openai
    fake.requests.clear()
    fake.script = [
        tool_call("integrations_list", {}),
        {"role": "assistant", "content": "You have integrations."},
    ]
    status, reply = await asker.post(CHAT, {"message": "Which integrations do I have?"})
    assert status == 200 and reply["toolCalls"] == [
        {"name": "integrations_list", "arguments": {}, "ok": True}
    ]
    assert reply["message"]["content"] == "You have integrations."
    tool_message = fake.requests[1]["messages"][-1]
    assert tool_message["role"] == "tool" and "payment_gateway_stripe" in tool_message["content"]
    assert any(t["function"]["name"] == "integrations_list" for t in fake.requests[0]["tools"])
    # a caller without integrations.view is not offered the tool: the call fails, the chat goes on
    fake.requests.clear()
    status, reply = await plain.post(CHAT, {"message": "Which integrations?"})
    assert status == 200 and reply["toolCalls"][0]["ok"] is False
    assert all(t["function"]["name"] != "integrations_list" for t in fake.requests[0].get("tools", []))


async def test_tools_route_execute_and_session_keys(openai, asker, plain, other_asker):
    fake, _ = openai
    status, tools = await plain.get("/api/ai_assistant/tools")
    assert status == 200 and all(t["name"] != "integrations_list" for t in tools["items"])
    status, tools = await asker.get("/api/ai_assistant/tools")
    assert any(t["name"] == "integrations_list" for t in tools["items"]) and tools["total"] == len(
        tools["items"]
    )
    fake.script = [{"role": "assistant", "content": "integration_detail"}]
    status, route = await asker.post("/api/ai_assistant/route", {"query": "show the stripe integration"})
    assert (route["route"], route["source"], route["module"]) == (
        "integration_detail",
        "model",
        "integrations",
    )
    status, reply = await asker.post(
        "/api/ai_assistant/tools/execute", {"toolName": "integration_detail", "args": {"id": "nope"}}
    )
    assert status == 404
    status, key = await asker.post("/api/ai_assistant/session-key")
    assert status == 200 and key["sessionToken"].startswith("ais_") and key["expiresAt"].endswith("Z")
    body = {
        "toolName": "integration_detail",
        "args": {"id": "currency_nbp"},
        "_sessionToken": key["sessionToken"],
    }
    status, reply = await asker.post("/api/ai_assistant/tools/execute", body)
    assert status == 200 and reply["result"]["id"] == "currency_nbp"
    status, _ = await other_asker.post("/api/ai_assistant/tools/execute", body)  # another tenant's key
    assert status == 401
    status, _ = await asker.post("/api/ai_assistant/tools/execute", {**body, "_sessionToken": "ais_forged"})
    assert status == 401
    status, _ = await plain.post("/api/ai_assistant/tools/execute", {"toolName": "integrations_list"})
    assert status == 404

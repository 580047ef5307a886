"""Public blog pages (published only, nothing tenant-identifying, views counted once per address and
hour, rate limited) and the actionable notification (same-origin links, its recipient's only)."""

from __future__ import annotations

from tests.example.conftest import visitor

CREATE = "mutation($input: ExampleBlogPostCreateInput!) { createExampleBlogPost(input: $input) { id status slug } }"


async def blog_post(api, **fields) -> dict:
    reply = await api.gql(CREATE, {"input": {"title": "Winter storage tips", "body": "Charge it.", **fields}})
    assert "errors" not in reply, reply
    return reply["data"]["createExampleBlogPost"]


async def test_only_published_pages_are_public(boss, proxied):
    reader = visitor(proxied)
    draft = await blog_post(boss)
    assert draft["status"] == "draft" and draft["slug"] == "winter-storage-tips"
    for path in (f"/api/example/blog/{draft['id']}", "/api/example/blog/not-an-id"):
        assert await reader.get(path) == (404, {"error": "Not found"})
        assert (await reader.post(path))[0] == 404
    reply = await boss.gql(
        'mutation($id: UUID!) { updateExampleBlogPost(id: $id, input: {status: "published"}) { publishedAt } }',
        {"id": draft["id"]},
    )
    assert reply["data"]["updateExampleBlogPost"]["publishedAt"]
    status, page = await reader.get(f"/api/example/blog/{draft['id']}")
    assert status == 200 and page["method"] == "GET" and page["id"] == draft["id"]
    assert page["title"] == "Winter storage tips" and page["views"] == 0
    assert not {"tenantId", "organizationId", "tenant_id", "authorUserId"} & set(page)
    await boss.gql("mutation($id: UUID!) { deleteExampleBlogPost(id: $id) }", {"id": draft["id"]})
    assert (await reader.get(f"/api/example/blog/{draft['id']}"))[0] == 404


async def test_views_count_once_per_address_and_hour(boss, proxied):
    post = await blog_post(boss, status="published")
    path = f"/api/example/blog/{post['id']}"
    first, second = visitor(proxied), visitor(proxied)
    status, page = await first.post(path)
    assert (status, page["method"], page["views"]) == (200, "POST", 1)
    assert (await first.post(path))[1]["views"] == 1  # the same reader again
    assert (await second.post(path))[1]["views"] == 2
    reply = await boss.gql(
        "query($id: UUID!) { exampleBlogPost(id: $id) { viewCount author { email } } }", {"id": post["id"]}
    )
    assert reply["data"]["exampleBlogPost"]["viewCount"] == 2


async def test_public_routes_are_rate_limited_per_address(boss, proxied):
    post = await blog_post(boss, status="published")
    path = f"/api/example/blog/{post['id']}"
    greedy, polite = visitor(proxied), visitor(proxied)
    statuses = [(await greedy.post(path))[0] for _ in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429
    assert (await polite.post(path))[0] == 200


async def test_notification_goes_to_the_caller_with_a_same_origin_link(boss, manager):
    status, body = await manager.post("/api/example/notifications", {"linkHref": "/backend/todos/7"})
    assert status == 201 and body["linkHref"] == "/backend/todos/7"
    own = body["id"]
    for hostile in ("https://evil.example/x", "//evil.example", "javascript:alert(1)", "/\\evil"):
        status, body = await manager.post("/api/example/notifications", {"linkHref": hostile})
        assert status == 201 and body["linkHref"] == "/backend/example/todos", hostile
    assert (await manager.post("/api/example/notifications"))[0] == 201  # the body is optional
    reply = await manager.gql(
        "{ exampleNotifications { total items { id linkHref actions primaryActionId } } }"
    )
    page = reply["data"]["exampleNotifications"]
    assert page["total"] == 6 and own in {i["id"] for i in page["items"]}
    assert [a["id"] for a in page["items"][0]["actions"]] == ["open", "dismiss"]
    # Another user of the same tenant (the admin) does not see them.
    reply = await boss.gql(
        "query($id: UUID!) { exampleNotifications { total } exampleNotification(id: $id) { id } }",
        {"id": own},
    )
    assert reply["data"] == {"exampleNotifications": {"total": 0}, "exampleNotification": None}

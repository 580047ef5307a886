"""Service book, activities and comments: documented shapes, authorship, filters and date rules."""

from __future__ import annotations

from tests.resources.conftest import SERVICE


async def test_service_book_entry_shape_and_filters(fleet):
    bike, other = await fleet.resource(), await fleet.resource("Other")
    early = await fleet.create("resources/service-book", {"entityId": bike, **SERVICE})
    late = await fleet.create(
        "resources/service-book",
        {
            "entityId": bike,
            "serviceType": "repair",
            "serviceActivity": "Clutch replacement",
            "serviceInAt": "2025-06-01T08:00:00Z",
            "serviceOutAt": "2025-06-03T16:30:00.250Z",
        },
    )
    await fleet.create("resources/service-book", {"entityId": other, **SERVICE})
    page = await fleet.list("resources/service-book", entityId=bike, sortField="serviceInAt", sortDir="desc")
    assert [i["id"] for i in page["items"]] == [late, early]
    item = page["items"][0]
    assert item["entityId"] == item["resourceId"] == bike
    assert item["serviceOutAt"] == "2025-06-03T16:30:00.250Z"
    assert await fleet.ids("resources/service-book", entityId=bike, filterServiceType="repair") == [late]
    assert await fleet.ids("resources/service-book", entityId=bike, filterServiceActivity="clutch") == [late]
    assert await fleet.ids(
        "resources/service-book", entityId=bike, filterServiceInFrom="2025-05-01T00:00:00Z"
    ) == [late]
    assert await fleet.ids(
        "resources/service-book", entityId=bike, filterServiceInTo="2025-05-01T00:00:00Z"
    ) == [early]
    assert await fleet.ids(
        "resources/service-book", entityId=bike, filterServiceOutFrom="2025-06-03T00:00:00Z"
    ) == [late]
    status, body = await fleet.api.get("/api/resources/service-book?filterServiceInFrom=yesterday")
    assert status == 400 and body["details"][0]["path"] == ["filterServiceInFrom"]


async def test_service_out_is_not_before_service_in(fleet):
    bike = await fleet.resource()
    status, body = await fleet.api.post(
        "/api/resources/service-book", {"entityId": bike, **SERVICE, "serviceOutAt": "2025-02-01T00:00:00Z"}
    )
    assert status == 400 and body["details"][0]["path"] == ["serviceOutAt"]
    entry = await fleet.create("resources/service-book", {"entityId": bike, **SERVICE})
    status, body = await fleet.api.put(
        "/api/resources/service-book", {"id": entry, "serviceOutAt": "2024-12-31T00:00:00Z"}
    )
    assert status == 400
    status, body = await fleet.api.post("/api/resources/service-book", {"entityId": bike, "serviceType": "x"})
    assert status == 400 and {tuple(d["path"]) for d in body["details"]} >= {
        ("serviceActivity",),
        ("serviceInAt",),
    }


async def test_activities_and_comments_record_their_author(fleet, world):
    bike = await fleet.resource()
    status, activity = await fleet.api.post(
        "/api/resources/activities", {"entityId": bike, "activityType": "test-ride", "subject": "Ride"}
    )
    assert status == 201 and activity["authorUserId"]
    status, comment = await fleet.api.post(
        "/api/resources/comments", {"entityId": bike, "body": "Looks great"}
    )
    assert status == 201 and comment["authorUserId"] == activity["authorUserId"]
    (item,) = (await fleet.list("resources/activities", entityId=bike))["items"]
    assert (item["resource_id"], item["activity_type"], item["author_user_id"]) == (
        bike,
        "test-ride",
        activity["authorUserId"],
    )
    assert await fleet.ids("resources/comments", entityId=bike) == [comment["id"]]
    # The owning resource cannot be changed by an update.
    other = await fleet.resource("Other")
    assert (await fleet.api.put("/api/resources/comments", {"id": comment["id"], "entityId": other}))[
        0
    ] == 200
    assert await fleet.ids("resources/comments", entityId=bike) == [comment["id"]]

"""GraphQL over the resources module: the customer -> resources -> service book walk, edges of every
kind, mutations (entity-generated and declared operations) and scoping."""

from __future__ import annotations

from tests.conftest import login
from tests.factories import make_world
from tests.resources.conftest import SERVICE, Fleet

WALK = """
query($id: UUID!) {
  person(id: $id) {
    displayName
    deals { title }
    resources {
      name
      resourceType { name }
      serviceBook { serviceType serviceActivity serviceInAt }
      tags { label }
      gallery { width height }
      accessoryLinks { quantity accessory { name } }
      person { id }
    }
  }
}
"""


async def test_customer_to_deals_to_resources_to_service_book(fleet):
    owner = await fleet.person("Jan", "Wójcik")
    status, _ = await fleet.api.post(
        "/api/customers/deals", {"title": "Winter storage", "personIds": [owner]}
    )
    assert status == 201
    kind = await fleet.create("resources/resource-types", {"name": "Motorcycle"})
    bike = await fleet.resource("Road Glide", resourceTypeId=kind, customerEntityId=owner)
    case = await fleet.resource("Top case")
    await fleet.create("resources/service-book", {"entityId": bike, **SERVICE})
    tag = await fleet.create("resources/tags", {"label": "Winter storage"})
    await fleet.api.post("/api/resources/resources/tags/assign", {"tagId": tag, "resourceId": bike})
    await fleet.create(
        "resources/resource-accessory-links", {"hostResourceId": bike, "accessoryResourceId": case}
    )
    assert (await fleet.upload(bike))[0] == 201

    result = await fleet.api.gql(WALK, {"id": owner})
    assert "errors" not in result, result
    person = result["data"]["person"]
    assert person["deals"] == [{"title": "Winter storage"}]
    assert person["resources"] == [
        {
            "name": "Road Glide",
            "resourceType": {"name": "Motorcycle"},
            "serviceBook": [
                {
                    "serviceType": "inspection",
                    "serviceActivity": "Annual",
                    "serviceInAt": "2025-03-01T08:00:00.000Z",
                }
            ],
            "tags": [{"label": "Winter storage"}],
            "gallery": [{"width": 640, "height": 480}],
            "accessoryLinks": [{"quantity": 1, "accessory": {"name": "Top case"}}],
            "person": {"id": owner},
        }
    ]
    listed = await fleet.api.gql(
        "query($o: UUID!) { resources(filter: {customerEntityId: $o}) { total items { name company { id } } } }",
        {"o": owner},
    )
    assert listed["data"]["resources"] == {"total": 1, "items": [{"name": "Road Glide", "company": None}]}


async def test_mutations(fleet):
    created = await fleet.api.gql(
        'mutation { createResource(input: {name: "GS", capacity: 2}) { id name capacity isActive } }'
    )
    bike = created["data"]["createResource"]
    assert (bike["name"], bike["capacity"], bike["isActive"]) == ("GS", 2, True)
    tag = await fleet.create("resources/tags", {"label": "VIP"})
    assigned = await fleet.api.gql(
        "mutation($t: UUID!, $r: UUID!) { assignResourceTag(tagId: $t, resourceId: $r) }",
        {"t": tag, "r": bike["id"]},
    )
    assert "errors" not in assigned, assigned
    entry = await fleet.api.gql(
        'mutation($r: UUID!) { createServiceBookEntry(input: {resourceId: $r, serviceType: "repair",'
        ' serviceActivity: "Fork seals", serviceInAt: "2025-01-01T00:00:00Z"}) { id resource { name tags { label } } } }',
        {"r": bike["id"]},
    )
    assert entry["data"]["createServiceBookEntry"]["resource"] == {"name": "GS", "tags": [{"label": "VIP"}]}
    case = await fleet.resource("Top case")
    link = await fleet.api.gql(
        "mutation($h: UUID!, $a: UUID!) { createResourceAccessoryLink(input: {hostResourceId: $h,"
        " accessoryResourceId: $a, quantity: 2}) { quantity host { name } } }",
        {"h": bike["id"], "a": case},
    )
    assert link["data"]["createResourceAccessoryLink"] == {"quantity": 2, "host": {"name": "GS"}}
    bad = await fleet.api.gql(
        'mutation($r: UUID!) { createServiceBookEntry(input: {resourceId: $r, serviceType: "x", serviceActivity: "y",'
        ' serviceInAt: "2025-01-02T00:00:00Z", serviceOutAt: "2025-01-01T00:00:00Z"}) { id } }',
        {"r": bike["id"]},
    )
    assert bad["data"] is None and bad["errors"]


async def test_another_tenant_reads_null(client, sessionmaker, fleet):
    bike = await fleet.resource()
    intruder = Fleet(await login(client, (await make_world(sessionmaker)).admin_email))
    result = await intruder.api.gql(
        "query($r: UUID!) { resource(id: $r) { id } resources { total } }", {"r": bike}
    )
    assert result["data"] == {"resource": None, "resources": {"total": 0}}

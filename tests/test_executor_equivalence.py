"""Every entity × every relation × every executor gives the same answer.

Generated from the declarations: for each GraphQL-exposed entity and each of its relations (one,
many, through, and relations back into the same table), the same selection runs

- compiled (one SQL per root field, ``schema/compiled.py``),
- through the resolvers and dataloaders (forced with a directive),
- written with a named fragment (resolvers),
- as a detail query per item (resolvers),

on one seeded graph, and the answers must be identical. A relation the seed leaves empty fails
the test: a module that declares a relation must seed it in ``seed_graph`` below.
"""

from __future__ import annotations

from typing import Any

import pytest

from openapi_compat.mount import register_routes
from resolvers.entity import ENTITIES, Entity, Relation, camel
from schema.entity import snake
from tests.conftest import Api, login
from tests.factories import make_world
from tests.resources.conftest import Fleet
from tests.sales.graph import seed_sales_graph
from tests.workflows.graph import seed_workflows_graph

register_routes()  # every module's routes, entities and operations


def exposed() -> list[Entity]:
    return [e for e in ENTITIES.values() if e.path is not None or e.relations]


def cases() -> list[tuple[Entity, Relation]]:
    return [(e, r) for e in exposed() for r in e.relations if r.target in {x.name for x in exposed()}]


def scalars(entity: Entity) -> str:
    """Every readable column, and the typed custom field values (not a column) where there are some."""
    columns = [f.camel for f in entity.fields if f.read and f.camel != "customFields"]
    typed = ["customFields { key value }"] if entity.custom_fields else []
    return " ".join(["id", *columns, *typed])


def selection(source: Entity, relation: Relation) -> str:
    """The relation with every scalar of its target, plus one more level for the target's
    relations into its own table or the source's (where unaliased SQL would confuse them)."""
    target = ENTITIES[relation.target]
    tables = {target.model, source.model}
    nested = [f"{camel(r.name)} {{ id }}" for r in target.relations if ENTITIES[r.target].model in tables]
    return f"{camel(relation.name)} {{ {scalars(target)} {' '.join(nested)} }}"


def detail_field(entity: Entity) -> str:
    return camel(snake(entity.graphql_name).lstrip("_"))


@pytest.fixture(scope="module")
async def graph(client, sessionmaker) -> Api:
    """A tenant where every declared relation has at least one edge."""
    world = await make_world(sessionmaker, roles={"employee": ["customers.*", "auth.users.list"]})
    api = await login(client, world.admin_email)
    await seed_graph(api)
    return api


async def seed_graph(api: Api) -> None:
    async def create(path: str, body: dict[str, Any]) -> str:
        status, reply = await api.post(f"/api{path}", body)
        assert status == 201, (path, reply)
        return reply["id"]

    await create("/api_keys/keys", {"name": "equivalence", "roles": ["employee"]})
    pipeline = await create("/customers/pipelines", {"name": "Equivalence"})
    stage = await create("/customers/pipeline-stages", {"pipelineId": pipeline, "label": "New"})
    company = await create("/customers/companies", {"displayName": "Equivalence Co"})
    person = await create(
        "/customers/people", {"firstName": "Eva", "lastName": "Quinn", "companyEntityId": company}
    )
    await create("/customers/people", {"firstName": "Ed", "lastName": "Quinn", "companyEntityId": company})
    deal = await create(
        "/customers/deals",
        {"title": "Equal", "pipelineStageId": stage, "personIds": [person], "companyIds": [company]},
    )
    for customer in (person, company):
        timeline = {"entityId": customer, "dealId": deal}
        await create("/customers/activities", {**timeline, "activityType": "call"})
        await create("/customers/comments", {**timeline, "body": "note"})
        await create("/customers/todos", {"entityId": customer, "title": "call back"})
        await create("/customers/addresses", {"entityId": customer, "addressLine1": "Main 1"})
        await create(
            "/customers/interactions",
            {**timeline, "interactionType": "call", "scheduledAt": "2030-01-01T10:00:00.123Z"},
        )
        tag = await create("/customers/tags", {"label": f"Tag {customer[:6]}"})
        status, _ = await api.post("/api/customers/tags/assign", {"tagId": tag, "entityId": customer})
        assert status in (200, 201)
        await seed_resources(api, create, customer)
        steps = [{"title": "Intake"}, {"title": "Repair"}]
        playbook = await create(
            "/playbooks", {"title": f"Playbook {customer[:6]}", "procedureDefinition": steps}
        )
        case = await create(
            "/cases", {"title": "Equal case", "customerEntityId": customer, "playbookId": playbook}
        )
        await create(f"/cases/{case}/timeline", {"body": "note"})
    for customer in (person, company):  # procurement: a process per customer kind, every edge seeded
        process = await create("/procurement/processes", {"title": "Parts", "customerEntityId": customer})
        item = await create("/procurement/process-line-items", {"processId": process, "title": "Pads"})
        supplier = await create(
            "/procurement/process-suppliers",
            {
                "processId": process,
                "vendorLabel": "Vendor",
                "vendorCustomerEntityId": company,
                "lineItemIds": [item],
            },
        )
        await create(
            "/procurement/process-tasks", {"processId": process, "title": "Quote", "supplierId": supplier}
        )
        status, _ = await api.put(
            "/api/procurement/processes", {"id": process, "selectedSupplierId": supplier}
        )
        assert status == 200
    await seed_insurance_graph(api, create, person=person, company=company, deal=deal)
    job = await create("/progress/jobs", {"jobType": "equivalence", "name": "Partitioned"})
    await create("/progress/jobs", {"jobType": "equivalence", "name": "Part 1", "parentJobId": job})
    await link_across_modules(api)
    await seed_example_graph(api, create, person=person, company=company)
    await seed_schedules(api, create)
    await seed_entities_graph(api)
    await seed_reference_data(api, create)
    await seed_messaging_graph(api, create, person=person)
    await seed_accounting(create)
    await seed_shipments(api)
    await seed_payments_graph(api, create)
    await seed_catalog_graph(create)
    await seed_sales_graph(create, customers=(person, company), deal=deal)
    await seed_webhooks_graph(api, create)
    await seed_staff_graph(api, create)
    await seed_customer_accounts(api)
    await seed_workflows_graph(api, create)
    await seed_planner(create)
    await seed_inbox_and_sync_graph(api, create)


async def seed_customer_accounts(api: Api) -> None:
    """A customer role held by two customer users (both ``through`` edges)."""
    admin = "/api/customer_accounts/admin"
    status, role = await api.post(f"{admin}/roles", {"name": "Buyers", "slug": "buyers"})
    assert status == 200, role
    for name in ("ann", "bob"):
        body = {
            "email": f"{name}@equivalence.test",
            "password": "Equal-pass-1",
            "displayName": name,
            "roleIds": [role["role"]["id"]],
        }
        status, reply = await api.post(f"{admin}/users", body)
        assert status == 200, reply


async def seed_planner(create: Any) -> None:
    """A rule set and one availability rule of it."""
    rule_set = await create("/planner/availability-rule-sets", {"name": "Equal hours", "timezone": "UTC"})
    rule = {"subjectType": "ruleset", "subjectId": rule_set, "timezone": "UTC", "rrule": "RRULE:FREQ=DAILY"}
    await create("/planner/availability", rule)


async def seed_inbox_and_sync_graph(api: Api, create: Any) -> None:
    """An extracted email (proposal, actions) and a mapping with a schedule and a queued run."""
    body = {"text": "2 x Pads @ 10.00", "subject": "Order", "fromAddress": "eq@x.test"}
    status, reply = await api.post("/api/inbox_ops/extract", body)
    assert status == 201, reply
    fields = {"first": "firstName", "last": "lastName"}
    mapping = await create(
        "/data_sync/mappings", {"name": "Eq", "entity": "person", "direction": "export", "fieldMap": fields}
    )
    await create("/data_sync/schedules", {"name": "Eq", "mappingId": mapping})
    status, reply = await api.post("/api/data_sync/run", {"mappingId": mapping})
    assert status == 202, reply


async def seed_shipments(api: Api) -> None:
    """Two manual shipments (each with its booking event), one of them cancelled (a second event)."""
    body = {"provider": "manual", "service": "standard", "receiver": {"name": "Eva"}, "parcels": [{}]}
    ids = []
    for _ in range(2):
        status, reply = await api.post("/api/shipping-carriers/shipments", body)
        assert status == 201, reply
        ids.append(reply["shipment"]["id"])
    assert (await api.post("/api/shipping-carriers/cancel", {"shipmentId": ids[0]}))[0] == 200


async def seed_accounting(create: Any) -> None:
    """A selling entity with two invoices it numbered."""
    entity = await create("/accounting/selling-entities", {"name": "Equal sp. z o.o.", "invoicePrefix": "EQ"})
    line = {"name": "Equal", "quantity": "2", "unitNetPrice": "10.005", "vatRate": "23"}
    for _ in range(2):
        await create("/accounting/invoices", {"sellerEntityId": entity, "lineItems": [line]})


async def seed_payments_graph(api: Api, create: Any) -> None:
    """A template, a link made from it, and a manual payment submitted on its page (a checkout
    transaction with its payment transaction and that one's history)."""
    template = await create("/checkout/templates", {"name": "Equal", "title": "Equal", "amount": "1.50"})
    link = await create("/checkout/links", {"templateId": template, "slug": f"equal-{template[:8]}"})
    status, reply = await api.get(f"/api/checkout/links/{link}")
    assert status == 200, reply
    status, reply = await api.post(f"/api/checkout/pay/{reply['slug']}/submit", {})
    assert status == 201, reply


async def seed_webhooks_graph(api: Api, create: Any) -> None:
    """An endpoint with a delivery and its attempt (a synchronous test post to an address that does
    not answer within the endpoint's one-second timeout)."""
    hook = await create(
        "/webhooks",
        {"name": "Equivalence", "url": "http://1.1.1.1:9/hook", "subscribedEvents": ["*"], "timeoutMs": 1000},
    )
    status, _ = await api.post(f"/api/webhooks/{hook}/test", {})
    assert status == 200


async def seed_reference_data(api: Api, create: Any) -> None:
    """A dictionary with an entry, two currencies with an exact rate, a view saved for a role."""
    dictionary = await create("/dictionaries", {"key": "equivalence", "name": "Equivalence"})
    await create(f"/dictionaries/{dictionary}/entries", {"value": "equal", "color": "#00ff00"})
    for code in ("EUR", "PLN"):
        await create("/currencies/currencies", {"code": code, "name": code})
    await create(
        "/currencies/exchange-rates", {"fromCurrencyCode": "EUR", "toCurrencyCode": "PLN", "rate": "4.2537"}
    )
    role = (await api.get("/api/auth/roles", params={"search": "employee"}))[1]["items"][0]["id"]
    view = {"name": "Equal", "settings": {"pageSize": 10}, "applyToRoles": [role]}
    assert (await api.post("/api/perspectives/equivalence", view))[0] == 200


async def seed_catalog_graph(create: Any) -> None:
    """A product in a category tree, tagged, of a service line and option schema, with a variant,
    an offer, a unit conversion and prices of the variant and the offer."""
    line = await create("/catalog/service-lines", {"code": "equal", "title": "Equal"})
    options = await create("/catalog/option-schemas", {"name": "Equal options"})
    root = await create("/catalog/categories", {"name": "Equal root"})
    child = await create("/catalog/categories", {"name": "Equal child", "parentId": root})
    product = await create(
        "/catalog/products",
        {
            "title": "Equal pads",
            "categoryIds": [child, root],
            "tags": ["Equal"],
            "serviceLineId": line,
            "optionSchemaId": options,
        },
    )
    variant = await create("/catalog/variants", {"productId": product, "name": "Equal front"})
    offer = await create(
        "/catalog/offers", {"productId": product, "channelId": "6f1e1c3a-0c7e-4d0b-9a53-6d6f746f7273"}
    )
    kind = await create("/catalog/price-kinds", {"code": "equal", "title": "Equal"})
    money = {"priceKindId": kind, "currencyCode": "PLN", "unitPriceNet": "10.01", "taxRate": "23"}
    await create("/catalog/prices", {"variantId": variant, **money})
    await create("/catalog/prices", {"offerId": offer, **money})
    await create(
        "/catalog/product-unit-conversions", {"productId": product, "unitCode": "set", "toBaseFactor": "2"}
    )


async def seed_example_graph(api: Api, create: Any, *, person: str, company: str) -> None:
    """A todo with an assignee, a priority per customer kind, a blog page and a notification."""
    status, users = await api.get("/api/example/assignees")
    assert status == 200 and users["items"], users
    await create("/example/todos", {"title": "Equal todo", "assigneeIds": [users["items"][0]["value"]]})
    await create("/example/customer-priorities", {"customerId": person, "priority": "high"})
    await create("/example/customer-priorities", {"customerId": company})
    reply = await api.gql('mutation { createExampleBlogPost(input: {title: "Equal page"}) { id } }')
    assert "errors" not in reply, reply
    await create("/example/notifications", {"linkHref": "/backend/equal"})


async def seed_schedules(api: Api, create: Any) -> None:
    """Two schedules, one of them run twice (runs are recorded when triggered)."""
    timing = {"scheduleType": "cron", "scheduleValue": "0 2 * * *", "targetQueue": "scheduler_echo"}
    busy = await create("/scheduler/jobs", {"name": "Busy", **timing})
    await create("/scheduler/jobs", {"name": "Idle", **timing})
    for _ in range(2):
        status, reply = await api.post("/api/scheduler/trigger", {"id": busy})
        assert status == 200, reply


async def seed_entities_graph(api: Api) -> None:
    """A custom entity with a record, and a file of that record in a partition."""
    from aiohttp import FormData

    entity = {"entityId": "user:equal_day", "label": "Equal day"}
    assert (await api.post("/api/entities/entities", entity))[0] == 200
    status, reply = await api.post(
        "/api/entities/records", {"entityId": "user:equal_day", "values": {"title": "Eq"}}
    )
    assert status == 200, reply
    form = FormData()
    form.add_field("entityId", "user:equal_day")
    form.add_field("recordId", reply["item"]["recordId"])
    form.add_field("file", b"equal notes", filename="equal.txt", content_type="text/plain")
    status, reply = await api.post("/api/attachments", data=form)
    assert status == 201, reply


async def link_across_modules(api: Api) -> None:
    """Edges between modules: a vehicle covered by a policy and bought through a procurement process."""

    async def first(path: str) -> str:
        status, page = await api.get(f"/api{path}?pageSize=1")
        assert status == 200 and page["items"], (path, page)
        return page["items"][0]["id"]

    resource, policy = await first("/resources/resources"), await first("/insurance/policies")
    process = await first("/procurement/processes")
    links = {"id": resource, "insurancePolicyId": policy, "procurementProcessId": process}
    assert (await api.put("/api/resources/resources", links))[0] == 200
    assert (await api.put("/api/procurement/processes", {"id": process, "resourceId": resource}))[0] == 200
    case = await first("/cases")
    case_links = {
        "id": case,
        "resourceId": resource,
        "insurancePolicyId": policy,
        "procurementProcessId": process,
    }
    assert (await api.put("/api/cases", case_links))[0] == 200


async def seed_messaging_graph(api: Api, create: Any, *, person: str) -> None:
    """A notification for the admin; a conversation on a case, with a record, a file and a reply."""
    from aiohttp import FormData

    status, users = await api.get("/api/auth/users?pageSize=100")
    assert status == 200, users
    admin = next(u["id"] for u in users["items"] if u["email"].startswith("admin-"))
    other = next(u["id"] for u in users["items"] if u["id"] != admin)
    await create("/notifications", {"type": "equivalence", "title": "Equal", "recipientUserId": admin})
    status, cases = await api.get("/api/cases?pageSize=1")
    record = {"entityModule": "customers", "entityType": "person", "entityId": person}
    draft = await create(
        "/messages",
        {
            "recipients": [{"userId": other}],
            "subject": "Equal",
            "body": "Equal body",
            "caseId": cases["items"][0]["id"],
            "objects": [record],
            "isDraft": True,
        },
    )
    form = FormData()
    form.add_field("file", b"equal", filename="equal.txt", content_type="text/plain")
    status, reply = await api.post(f"/api/messages/{draft}/attachments", data=form)
    assert status == 200, reply
    status, reply = await api.call("PATCH", f"/api/messages/{draft}", json={"isDraft": False})
    assert status == 200, reply
    await create(f"/messages/{draft}/reply", {"body": "Equal reply"})


async def seed_insurance_graph(api: Api, create: Any, *, person: str, company: str, deal: str) -> None:
    """Insurers, contacts, a policy, a lead with a file, a partner program and a signal, linked."""
    from aiohttp import FormData

    insurer = await create("/insurance/insurers", {"code": "eq", "name": "Equivalence Insurance"})
    contact = await create("/insurance/insurer-contacts", {"insurerId": insurer, "fullName": "Ida Agent"})
    parties = {"insuredPersonEntityId": person, "referringPartnerEntityId": person, "dealId": deal}
    policy = await create(
        "/insurance/policies",
        {"policyNumber": "EQ-1", "insurerId": insurer, "insurerContactId": contact, **parties},
    )
    await create(
        "/insurance/policies",
        {"policyNumber": "EQ-2", "insurerId": insurer, "insuredCompanyEntityId": company},
    )
    lead = await create(
        "/insurance/leads",
        {"title": "Equal lead", "linkedPolicyId": policy, "referringPartnerEntityId": person},
    )
    form = FormData()
    form.add_field("file", b"%PDF-1.4 equal", filename="equal.pdf", content_type="application/pdf")
    status, reply = await api.post(f"/api/insurance/leads/{lead}/attachments", data=form)
    assert status == 201, reply
    program = await create("/partner_programs/programs", {"name": "Equal partners"})
    await create(f"/partner_programs/programs/{program}/memberships", {"partnerEntityId": person})
    status, reply = await api.post(
        "/api/customer_signals/signals",
        {"signalType": "visit", "externalId": "eq-1", "customerEntityId": person, "dealId": deal},
    )
    assert status == 201, reply


async def seed_resources(api: Api, create: Any, customer: str) -> None:
    """A typed, tagged vehicle of ``customer`` with its service book, timeline, image and accessory."""
    kind = await create("/resources/resource-types", {"name": f"Type {customer[:6]}"})
    vehicle = await create(
        "/resources/resources", {"name": "Bike", "resourceTypeId": kind, "customerEntityId": customer}
    )
    accessory = await create("/resources/resources", {"name": "Top case", "customerEntityId": customer})
    await create(
        "/resources/resource-accessory-links", {"hostResourceId": vehicle, "accessoryResourceId": accessory}
    )
    await create(
        "/resources/service-book",
        {
            "entityId": vehicle,
            "serviceType": "inspection",
            "serviceActivity": "Check",
            "serviceInAt": "2030-01-01T10:00:00.000Z",
        },
    )
    await create("/resources/activities", {"entityId": vehicle, "activityType": "call"})
    await create("/resources/comments", {"entityId": vehicle, "body": "note"})
    tag = await create("/resources/tags", {"label": f"Tag {customer[:6]}"})
    status, _ = await api.post("/api/resources/resources/tags/assign", {"tagId": tag, "resourceId": vehicle})
    assert status == 201
    status, image = await Fleet(api).upload(vehicle)
    assert status == 201, image


def forced_through_resolvers(query: str) -> str:
    return query.replace("{", "{ __typename @include(if: true) ", 1)


async def run(api: Api, query: str) -> dict[str, Any]:
    result = await api.gql(query)
    assert "errors" not in result, (query, result)
    result["data"].pop("__typename", None)
    return result["data"]


@pytest.mark.parametrize(("entity", "relation"), cases(), ids=lambda x: getattr(x, "name", None))
async def test_relation_is_the_same_on_every_executor(graph: Api, entity: Entity, relation: Relation):
    root = camel(entity.plural)
    fields = f"id {selection(entity, relation)}"
    query = f"{{ {root}(pageSize: 100) {{ items {{ {fields} }} }} }}"

    compiled = await run(graph, query)
    items = compiled[root]["items"]
    assert await run(graph, forced_through_resolvers(query)) == compiled
    fragment = f"query {{ {root}(pageSize: 100) {{ items {{ ...F }} }} }} fragment F on {entity.graphql_name} {{ {fields} }}"
    assert await run(graph, fragment) == compiled

    edges = [item[camel(relation.name)] for item in items]
    assert any(edges), f"seed_graph leaves {entity.name}.{relation.name} empty: seed it"
    detail = detail_field(entity)
    for item in items:
        if item[camel(relation.name)]:
            answer = await run(graph, f'{{ {detail}(id: "{item["id"]}") {{ {fields} }} }}')
            assert answer[detail] == item


async def test_lists_count_only_when_asked(graph: Api):
    from crmgraph.db import count_statements

    counts = {}
    for name, fields in (("without", "items { id }"), ("with", "total items { id }")):
        async with count_statements() as counter:  # a full later page: only a count tells the total
            await run(graph, f"{{ people(pageSize: 1, page: 2) {{ {fields} }} }}")
        counts[name] = counter.count
    assert counts["with"] == counts["without"] + 1, counts


LIST_CASES = [(e, r) for e, r in cases() if r.kind != "one"]


@pytest.mark.parametrize(("entity", "relation"), LIST_CASES, ids=lambda x: getattr(x, "name", None))
async def test_edge_limit_is_the_same_on_every_executor(graph: Api, entity: Entity, relation: Relation):
    root, edge_name = camel(entity.plural), camel(relation.name)
    query = f"{{ {root}(pageSize: 100) {{ items {{ id {edge_name}(limit: 1) {{ id }} }} }} }}"
    compiled = await run(graph, query)
    assert await run(graph, forced_through_resolvers(query)) == compiled
    assert all(len(item[edge_name]) <= 1 for item in compiled[root]["items"])
    unlimited = await run(graph, query.replace("(limit: 1)", ""))
    firsts = [item[edge_name][:1] for item in unlimited[root]["items"]]
    assert [item[edge_name] for item in compiled[root]["items"]] == firsts


async def seed_staff_graph(api: Api, create: Any) -> None:
    """Staff: a team, a role, a member (user, role, tag) with every timeline record, and an
    approved leave request (so the unavailability edge has a row)."""
    team = await create("/staff/teams", {"name": "Workshop"})
    role = await create("/staff/team-roles", {"name": "Mechanic", "teamId": team})
    member = await create("/staff/team-members/self", {"displayName": "Sam"})  # linked to the user
    update = {"id": member, "teamId": team, "roleIds": [role], "tags": ["senior"]}
    assert (await api.put("/api/staff/team-members", update))[0] == 200
    for path, body in (
        ("/staff/activities", {"activityType": "call"}),
        ("/staff/comments", {"body": "note"}),
        ("/staff/addresses", {"addressLine1": "Main 1"}),
        ("/staff/job-histories", {"name": "Apprentice", "startDate": "2020-01-01T00:00:00.000Z"}),
    ):
        await create(path, {"entityId": member, **body})
    leave = await create(
        "/staff/leave-requests",
        {
            "memberId": member,
            "timezone": "Europe/Warsaw",
            "startDate": "2030-07-01T00:00:00.000Z",
            "endDate": "2030-07-14T00:00:00.000Z",
        },
    )
    assert (await api.post("/api/staff/leave-requests/accept", {"id": leave}))[0] == 200

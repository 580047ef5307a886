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

register_routes()  # every module's routes, entities and operations


def exposed() -> list[Entity]:
    return [e for e in ENTITIES.values() if e.path is not None or e.relations]


def cases() -> list[tuple[Entity, Relation]]:
    return [(e, r) for e in exposed() for r in e.relations if r.target in {x.name for x in exposed()}]


def scalars(entity: Entity) -> str:
    return " ".join(["id", *(f.camel for f in entity.fields if f.read)])


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
    await link_across_modules(api)


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

"""GraphQL over the customers module: constant SQL for nested reads, parity with REST, filters,
mutations for the hand-written commands, and scoping."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select

from crmgraph.authn import authenticate
from crmgraph.context import RequestContext
from crmgraph.db import count_statements
from models.customers import Company, Deal, DealCompany, DealPerson, Person, Pipeline, PipelineStage
from models.events import OutboxEvent
from resolvers.entity import camel
from schema.root import build_schema
from tests.conftest import Api, login
from tests.factories import make_world

NESTED = """
query($n: Int!) {
  people(pageSize: $n, sortField: "displayName") {
    total
    items {
      id displayName primaryEmail
      company {
        id displayName
        deals { id title stage { id label pipeline { id name } } people { id displayName } }
      }
      deals { id title valueAmount stage { label pipeline { name } } }
      tags { label }
    }
  }
}
"""


async def seed_graph(sessionmaker: Any, world: Any, n: int) -> None:
    """``n`` people, each at its own company with two deals (on stages of one pipeline)."""
    scope = {"tenant_id": world.tenant_id, "organization_id": world.root_org}
    async with sessionmaker() as session:
        pipeline = Pipeline(id=uuid.uuid4(), name="Main", is_default=True, **scope)
        stages = [
            PipelineStage(id=uuid.uuid4(), pipeline_id=pipeline.id, label=f"S{i}", order=i, **scope)
            for i in range(3)
        ]
        session.add(pipeline)
        await session.flush()
        session.add_all(stages)
        for i in range(n):
            company = Company(id=uuid.uuid4(), display_name=f"Company {i:03}", **scope)
            person = Person(
                id=uuid.uuid4(),
                display_name=f"Person {i:03}",
                first_name="P",
                last_name=str(i),
                company_entity_id=company.id,
                primary_email=f"p{i}@example.com",
                **scope,
            )
            session.add_all([company, person])
            await session.flush()
            for j in range(2):
                stage = stages[(i + j) % 3]
                deal = Deal(
                    id=uuid.uuid4(),
                    title=f"Deal {i}-{j}",
                    pipeline_id=pipeline.id,
                    pipeline_stage_id=stage.id,
                    pipeline_stage=stage.label,
                    value_amount=100.0 * j,
                    **scope,
                )
                session.add(deal)
                await session.flush()
                session.add_all(
                    [
                        DealPerson(deal_id=deal.id, person_entity_id=person.id),
                        DealCompany(deal_id=deal.id, company_entity_id=company.id),
                    ]
                )
        await session.commit()


async def in_process_context(settings: Any, sessionmaker: Any, api: Api) -> RequestContext:
    """The context the GraphQL view builds for ``api``'s bearer token."""
    principal = await authenticate(settings, sessionmaker, api.headers, {})
    return RequestContext(settings=settings, sessionmaker=sessionmaker, principal=principal)


async def count_nested(settings: Any, sessionmaker: Any, api: Api, n: int) -> tuple[int, dict[str, Any]]:
    ctx = await in_process_context(settings, sessionmaker, api)
    async with count_statements() as counter:
        result = await build_schema(settings).execute(NESTED, variable_values={"n": n}, context_value=ctx)
    assert result.errors is None, result.errors
    return counter.count, result.data


async def test_nested_query_runs_constant_sql(client, settings, sessionmaker):
    counts = {}
    for n in (10, 100):
        world = await make_world(sessionmaker)
        await seed_graph(sessionmaker, world, n)
        api = await login(client, world.admin_email)
        counts[n], data = await count_nested(settings, sessionmaker, api, n)
        people = data["people"]["items"]
        assert data["people"]["total"] == n and len(people) == n
        first = people[0]
        assert first["displayName"] == "Person 000" and first["company"]["displayName"] == "Company 000"
        assert sorted(d["title"] for d in first["deals"]) == ["Deal 0-0", "Deal 0-1"]
        assert {d["stage"]["pipeline"]["name"] for d in first["company"]["deals"]} == {"Main"}
        assert all(d["people"][0]["id"] == p["id"] for p in people for d in p["company"]["deals"])
    assert counts[10] == counts[100], counts
    # A query per level of the tree (plus per-session setup), never one per row: 100 rows would be hundreds.
    assert counts[100] < 30, counts


def _normalize(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def assert_same_record(rest_item: dict[str, Any], graph_item: dict[str, Any]) -> None:
    for key, value in rest_item.items():
        name = camel(key)
        if name in graph_item:
            assert _normalize(graph_item[name]) == _normalize(value), key


async def test_rest_and_graphql_return_the_same_data(crm, admin):
    company = await crm.company(
        "Parity Co", domain="parity.example", annualRevenue=1000000.5, nip="5260250274"
    )
    person = await crm.person(
        "Pat",
        "Parity",
        primaryEmail="pat@parity.example",
        primaryPhone="+48 1",
        status="active",
        companyEntityId=company,
        customFields={"a": [1, 2]},
        jobTitle="CTO",
        nextInteraction={"at": "2030-01-01T10:00:00Z", "name": "Call"},
    )
    _, stages = await crm.pipeline()
    deal = await crm.deal(
        "Parity deal",
        personIds=[person],
        pipelineStageId=stages[1],
        valueAmount=99.99,
        expectedCloseAt="2030-02-01T00:00:00Z",
        payload={"x": 1},
    )
    interaction = await crm.create(
        "interactions",
        {"entityId": person, "interactionType": "call", "scheduledAt": "2030-03-01T00:00:00Z", "priority": 3},
    )
    for path, graph_field, ident, type_name in (
        ("people", "person", person, "Person"),
        ("companies", "company", company, "Company"),
        ("deals", "deal", deal, "Deal"),
        ("pipeline-stages", "pipelineStage", stages[1], "PipelineStage"),
        ("interactions", "interaction", interaction, "Interaction"),
    ):
        rest_item = (await crm.list(path, ids=ident))["items"][0]
        introspected = await admin.gql(f'{{ __type(name: "{type_name}") {{ fields {{ name }} }} }}')
        scalar_fields = {f["name"] for f in introspected["data"]["__type"]["fields"]} - {"customFields"}
        fields = " ".join(sorted({camel(k) for k in rest_item} & scalar_fields))
        result = await admin.gql(f'{{ {graph_field}(id: "{ident}") {{ {fields} }} }}')
        assert "errors" not in result, (type_name, result)
        graph_item = result["data"][graph_field]
        assert graph_item["id"] == ident
        assert_same_record(rest_item, graph_item)
        shared = {camel(k) for k in rest_item} & set(graph_item)
        assert len(shared) >= 8, (type_name, shared)
        if "custom_fields" in rest_item:  # typed in GraphQL: [{key, value}]
            typed = await admin.gql(f'{{ {graph_field}(id: "{ident}") {{ customFields {{ key value }} }} }}')
            pairs = {f["key"]: f["value"] for f in typed["data"][graph_field]["customFields"]}
            assert pairs == rest_item["custom_fields"], type_name


async def test_graphql_filters_mirror_rest(crm, admin):
    ann = await crm.person("Ann", "A", primaryEmail="ann@alpha.example", primaryPhone="1", status="active")
    bob = await crm.person("Bob", "B", primaryEmail="bob@alpha.example", status="active")
    await crm.person("Cy", "C", primaryEmail="cy@gamma.example")
    query = (
        """query($f: PersonFilter, $s: String) { people(filter: $f, search: $s) { total items { id } } }"""
    )
    cases = [
        ({"emailStartsWith": "ann"}, None, {ann}, {"emailStartsWith": "ann"}),
        (
            {"emailContains": "alpha", "hasPhone": False},
            None,
            {bob},
            {"emailContains": "alpha", "hasPhone": "false"},
        ),
        ({"status": "active"}, "bob", {bob}, {"status": "active", "search": "bob"}),
    ]
    for graph_filter, search, expected, rest_query in cases:
        result = await admin.gql(query, {"f": graph_filter, "s": search})
        assert {i["id"] for i in result["data"]["people"]["items"]} == expected
        assert await crm.ids("people", **rest_query) == expected
    deal = await crm.deal("Filtered", personIds=[ann])
    await crm.deal("Other")
    result = await admin.gql(
        f'{{ deals(filter: {{personEntityId: "{ann}"}}) {{ items {{ id people {{ id }} }} }} }}'
    )
    assert result["data"]["deals"]["items"] == [{"id": deal, "people": [{"id": ann}]}]


async def test_graphql_mutations_share_the_rest_resolvers(crm, admin, world, sessionmaker):
    created = await admin.gql(
        'mutation { createPerson(input: {firstName: "Gia", lastName: "Graph",'
        ' primaryEmail: "gia@example.com"}) { id displayName } }'
    )
    person = created["data"]["createPerson"]["id"]
    assert created["data"]["createPerson"]["displayName"] == "Gia Graph"
    assert (await crm.list("people", ids=person))["items"][0]["primary_email"] == "gia@example.com"
    tag = await crm.create("tags", {"label": "GQL"})
    interaction = await crm.create(
        "interactions", {"entityId": person, "interactionType": "call", "scheduledAt": "2030-01-01T00:00:00Z"}
    )
    _, stages = await crm.pipeline()
    result = await admin.gql(
        f"""mutation {{
          assignCustomerTag(tagId: "{tag}", entityId: "{person}")
          completeInteraction(id: "{interaction}") {{ id status occurredAt person {{ nextInteractionAt }} }}
          reorderPipelineStages(stages: [{{id: "{stages[1]}", order: 0}}, {{id: "{stages[0]}", order: 1}}])
          saveCustomerDictionaryEntry(kind: "sources", value: "fair", label: "Trade fair") {{
            label isInherited
          }}
          setCustomerAddressFormat(addressFormat: "street_first")
          injectDeal(organizationId: "{world.root_org}", tenantId: "{world.tenant_id}",
                     title: "From GQL", externalId: "gql-1", payload: {{email: "gia@example.com"}}) {{
            created personEntityId
          }}
        }}"""
    )
    assert "errors" not in result, result
    data = result["data"]
    assert data["completeInteraction"]["status"] == "done" and data["completeInteraction"]["occurredAt"]
    assert data["completeInteraction"]["person"] == {"nextInteractionAt": None}
    assert data["saveCustomerDictionaryEntry"] == {"label": "Trade fair", "isInherited": False}
    assert data["injectDeal"] == {"created": True, "personEntityId": person}
    assert await crm.ids("people", tagIds=tag) == {person}
    assert [i["id"] for i in (await crm.list("pipeline-stages"))["items"]] == [stages[1], stages[0]]
    assert (await admin.get("/api/customers/settings/address-format"))[1] == {"addressFormat": "street_first"}
    reads = await admin.gql(
        '{ customerDictionaryEntries(kind: "sources") { value } customerAddressFormat '
        'personByPhone(digits: "0000") { id } customersWidgetNewCustomers(limit: 1) }'
    )
    assert reads["data"]["customerDictionaryEntries"] == [{"value": "fair"}]
    assert reads["data"]["personByPhone"] is None
    assert reads["data"]["customersWidgetNewCustomers"]["items"][0]["displayName"]
    async with sessionmaker() as session:
        names = set(
            (
                await session.execute(
                    select(OutboxEvent.name).where(OutboxEvent.tenant_id == world.tenant_id)
                )
            ).scalars()
        )
    assert {
        "customers.person.created",
        "customers.tag_assignment.created",
        "customers.interaction.completed",
        "customers.pipeline_stage.reordered",
        "customers.dictionary_entry.created",
        "customers.settings.updated",
        "customers.deal.created",
        "customers.comment.created",
    } <= names
    deleted = await admin.gql(f'mutation {{ deletePerson(id: "{person}") }}')
    assert deleted["data"]["deletePerson"] is True


async def test_graphql_scoping_and_errors(client, crm, admin, sessionmaker):
    person = await crm.person()
    other = await make_world(sessionmaker)
    stranger = await login(client, other.admin_email)
    assert (await stranger.gql(f'{{ person(id: "{person}") {{ id }} }}'))["data"]["person"] is None
    result = await stranger.gql(
        f'mutation {{ updatePerson(id: "{person}", input: {{status: "x"}}) {{ id }} }}'
    )
    assert result["errors"][0]["extensions"]["status"] == 404
    result = await stranger.gql(f'mutation {{ completeInteraction(id: "{uuid.uuid4()}") {{ id }} }}')
    assert result["errors"][0]["extensions"]["code"] == "not_found"
    result = await Api(client).gql("{ people { total } }")
    assert result["errors"][0]["extensions"]["status"] == 401

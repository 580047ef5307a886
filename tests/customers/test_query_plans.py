"""The common people-list filters are served by indexes on a 100k-row table (EXPLAIN, under RLS)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql

from crmgraph.context import Principal, RequestContext
from resolvers.crud import apply_list_params, order_by
from resolvers.customers.people import PERSON
from resolvers.listing import ListParams
from resolvers.scope import scoped
from tests.factories import make_world

ROWS = 100_000
FILTERS: dict[str, dict[str, Any]] = {
    "search": {"search": "kowal"},
    "emailStartsWith": {"filters": {"emailStartsWith": "p4242"}},
    "status": {"filters": {"status": "lead"}},
    "lifecycleStage": {"filters": {"lifecycleStage": "customer-7"}},
    "createdFrom+createdTo": {
        "filters": {"createdFrom": "2024-01-03T00:00:00+00:00", "createdTo": "2024-01-03T06:00:00+00:00"}
    },
    "hasNextInteraction": {"filters": {"hasNextInteraction": True}},
    "companyEntityId": {"filters": {"companyEntityId": uuid.uuid4()}},
    "ids": {"ids": [uuid.uuid4(), uuid.uuid4()]},
}

# Selective filters must be answered by their own index (the others may walk the primary key in
# page order and stop after 50 matches, which is the cheaper plan for them).
EXPECTED_INDEX = {
    "emailStartsWith": "ix_customer_entities_email_prefix",
    "createdFrom+createdTo": "ix_customer_entities_created",
    "companyEntityId": "ix_customer_entities_company_entity_id",
    "ids": "pk_customer_entities",
}


@pytest.fixture(scope="module")
async def big_tenant(sessionmaker):
    world = await make_world(sessionmaker)
    async with sessionmaker() as session:
        await session.execute(
            text(
                "INSERT INTO customer_entities (id, tenant_id, organization_id, kind, display_name, primary_email,"
                " status, lifecycle_stage, is_active, crm_record_type, custom_fields, next_interaction_at,"
                " created_at, updated_at)"
                " SELECT gen_random_uuid(), :tenant, :org, 'person',"
                " (ARRAY['Anna','Jan','Ewa','Piotr'])[g % 4 + 1] || ' ' || (ARRAY['Nowak','Kowalski','Mazur','Wozniak','Zielinski','Krawczyk','Lis','Kot'])[g % 8 + 1] || ' ' || g,"
                " 'p' || g || '@example.com', (ARRAY['active','inactive','lead','vip'])[g % 4 + 1],"
                " 'customer-' || (g % 50), true, 'customer', '{}',"
                " CASE WHEN g % 100 = 0 THEN now() + interval '1 day' END,"
                " timestamp '2024-01-01' + g * interval '1 minute', now()"
                " FROM generate_series(1, :rows) g"
            ),
            {"tenant": world.tenant_id, "org": world.root_org, "rows": ROWS},
        )
        await session.commit()
        await session.execute(text("ANALYZE customer_entities"))
        await session.commit()
    return world


async def plan(settings, sessionmaker, world, params: ListParams) -> str:
    principal = Principal(subject="plans", tenant_id=world.tenant_id, org_id=None, is_super_admin=True)
    ctx = RequestContext(settings=settings, sessionmaker=sessionmaker, principal=principal)
    query = apply_list_params(PERSON, await scoped(ctx, PERSON, select(PERSON.model)), params)
    sql = (
        order_by(PERSON, query, params)
        .limit(params.page_size)
        .compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    )
    async with ctx.read_session() as session:  # the app role, under row-level security
        return "\n".join((await session.execute(text(f"EXPLAIN {sql}"))).scalars())


@pytest.mark.parametrize("name", list(FILTERS))
async def test_filter_uses_an_index(settings, sessionmaker, big_tenant, name):
    params = ListParams(page_size=50, **FILTERS[name])
    explained = await plan(settings, sessionmaker, big_tenant, params)
    assert "Seq Scan on customer_entities" not in explained, explained
    if name in EXPECTED_INDEX:
        assert EXPECTED_INDEX[name] in explained, explained

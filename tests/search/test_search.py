"""Search end to end: records created through REST are indexed by the outbox subscriber when a real
worker runs, found by full-text (typos through trigrams), tokens and vectors; hits never cross tenants
or organizations and never include records whose view feature the caller lacks."""

from __future__ import annotations

from dataclasses import replace

from arq import create_pool
from arq.connections import RedisSettings

from crmgraph.db import count_statements
from schema.root import build_schema
from tests.search.conftest import company, found, person, run_worker, unique
from workers.events import dispatch_batch


async def test_rest_created_person_is_found_by_fulltext_after_one_worker_run(
    sworld, boss, searcher, bsettings
):
    last = unique("Kowalski")
    person_id = await person(boss, sworld.branch_org, "Zbigniew", last)
    assert await found(searcher, last, strategies="fulltext") == []  # not indexed before the worker runs

    await run_worker(bsettings)

    hits = await found(searcher, last, strategies="fulltext")
    assert [(h["entityId"], h["recordId"], h["source"]) for h in hits] == [
        ("customers:person", person_id, "fulltext")
    ]
    assert hits[0]["title"] == f"Zbigniew {last}"
    # A prefix finds it too (``word:*``), and so does a typo, through pg_trgm word similarity.
    assert [h["recordId"] for h in await found(searcher, last[:-2], strategies="fulltext")] == [person_id]
    typo = last[:-1] + ("y" if last[-1] != "y" else "x")
    assert typo != last
    assert [h["recordId"] for h in await found(searcher, typo, strategies="fulltext")] == [person_id]
    # The tokens store matches the exact word only.
    assert [h["source"] for h in await found(searcher, last, strategies="tokens")] == ["tokens"]
    assert await found(searcher, typo, strategies="tokens") == []


async def test_updates_and_deletes_follow_the_record(sworld, boss, searcher, bsettings):
    old, new = unique("Nowak"), unique("Wisniewski")
    person_id = await person(boss, sworld.branch_org, "Anna", old)
    await run_worker(bsettings)
    assert len(await found(searcher, old, strategies="fulltext")) == 1

    status, _ = await boss.put(
        "/api/customers/people", {"id": person_id, "last_name": new, "display_name": f"Anna {new}"}
    )
    assert status == 200
    await run_worker(bsettings)
    assert await found(searcher, old, strategies="fulltext,tokens") == []
    assert [h["recordId"] for h in await found(searcher, new, strategies="fulltext")] == [person_id]

    assert (await boss.delete(f"/api/customers/people?id={person_id}"))[0] == 200
    await run_worker(bsettings)
    assert await found(searcher, new) == []


async def test_hits_never_cross_tenants(sworld, other_world, boss, stranger, searcher, bsettings):
    word = unique("Tenantword")
    await person(boss, sworld.branch_org, "Ola", word)
    await person(stranger, other_world.root_org, "Ola", word)
    await run_worker(bsettings)
    mine = await found(searcher, word)
    theirs = await found(stranger, word)
    assert len(mine) == 1 and len(theirs) == 1
    assert mine[0]["recordId"] != theirs[0]["recordId"]


async def test_hits_never_cross_organizations(bclient, sworld, boss, bsettings):
    from tests.conftest import login

    word = unique("Orgword")
    in_branch = await person(boss, sworld.branch_org, "Ewa", word)
    await person(boss, sworld.other_org, "Ewa", word)
    _, users = await boss.get(f"/api/auth/users?search={sworld.emails['searcher']}")
    await boss.put(
        "/api/auth/users/acl",
        {
            "userId": users["items"][0]["id"],
            "features": ["search.view", "customers.*"],
            "organizations": [str(sworld.branch_org)],
        },
    )
    await run_worker(bsettings)
    branch_only = await login(bclient, sworld.emails["searcher"])
    for strategies in ("fulltext", "tokens", "vector", "fulltext,vector,tokens"):
        assert [h["recordId"] for h in await found(branch_only, word, strategies=strategies)] == [in_branch]
    assert len(await found(boss, word)) == 2  # the admin sees both organizations


async def test_hits_never_include_records_whose_view_feature_is_missing(
    sworld, boss, companies_only, bsettings
):
    word = unique("Featureword")
    company_id = await company(boss, sworld.branch_org, f"{word} Motors")
    await person(boss, sworld.branch_org, "Piotr", word)
    await run_worker(bsettings)
    for strategies in ("fulltext", "tokens", "vector"):
        hits = await found(companies_only, word, strategies=strategies)
        assert [(h["entityId"], h["recordId"]) for h in hits] == [("customers:company", company_id)]
    # Asking for people explicitly gives nothing rather than an error.
    assert await found(companies_only, word, entityTypes="customers:person") == []


async def test_vector_ranks_the_semantically_close_record_first(sworld, boss, searcher, bsettings):
    tag = unique("Sem")
    descriptions = {
        "restoration": "Restores classic motorcycles and rebuilds old engines for collectors.",
        "bakery": "Bakes sourdough bread and sells pastries every morning.",
        "accounting": "Prepares tax returns and payroll for small companies.",
        "florist": "Arranges wedding bouquets and delivers fresh flowers.",
    }
    ids = {
        key: await company(boss, sworld.branch_org, f"{tag} {key}", description=text)
        for key, text in descriptions.items()
    }
    await run_worker(bsettings)
    hits = await found(
        searcher, "vintage bike repair", strategies="vector", entityTypes="customers:company", limit="50"
    )
    mine = [h["recordId"] for h in hits if h["recordId"] in ids.values()]
    assert mine and mine[0] == ids["restoration"]
    assert all(h["source"] == "vector" for h in hits)
    bakery = await found(searcher, "fresh loaves and croissants", strategies="vector", limit="50")
    assert next(h["recordId"] for h in bakery if h["recordId"] in ids.values()) == ids["bakery"]


async def test_fused_search_reports_strategies_and_weights(sworld, boss, searcher, bsettings):
    word = unique("Fusedword")
    person_id = await person(boss, sworld.branch_org, "Jan", word, description="Rides a touring motorcycle")
    await run_worker(bsettings)
    status, body = await searcher.get("/api/search/search", params={"q": word})
    assert status == 200
    assert body["strategiesUsed"] == ["fulltext", "vector", "tokens"]
    assert body["query"] == word and body["limit"] == 50 and body["timing"] >= 0
    top = body["results"][0]
    assert top["recordId"] == person_id and top["source"] == "fulltext"
    # Ranked first by full-text (1.2) and tokens (0.8), and somewhere by vector (at most 1.0/61).
    assert 2.0 / 61 < top["score"] <= 3.0 / 61


async def test_bad_search_input_is_a_400(searcher):
    for params in ({}, {"q": ""}, {"q": "x", "strategies": "magic"}, {"q": "x", "entityTypes": "nope:nope"}):
        status, body = await searcher.get("/api/search/search", params=params)
        assert status == 400, (params, body)
        assert "error" in body


async def test_graphql_search_answers_typed_records(sworld, boss, searcher, bsettings):
    word = unique("Graphword")
    person_id = await person(boss, sworld.branch_org, "Marta", word)
    company_id = await company(boss, sworld.branch_org, f"{word} Garage")
    await run_worker(bsettings)
    # Another schema built in the same process (another app, other settings) must not confuse the
    # served schema's union of record types (it did once: "PersonSearchRecord is not in the union").
    build_schema(replace(bsettings, graphql_max_depth=bsettings.graphql_max_depth + 1))
    query = """
      query($q: String!) {
        search(query: $q, strategies: ["fulltext"]) {
          strategiesUsed
          hits {
            entityType recordId score strategy
            record {
              __typename
              ... on Person { id displayName firstName }
              ... on Company { id displayName }
            }
          }
        }
      }
    """
    body = await searcher.gql(query, {"q": word})
    assert "errors" not in body, body
    hits = body["data"]["search"]["hits"]
    records = {h["record"]["__typename"]: h["record"] for h in hits}
    assert records["Person"] == {
        "__typename": "Person",
        "id": person_id,
        "displayName": f"Marta {word}",
        "firstName": "Marta",
    }
    assert records["Company"]["id"] == company_id
    assert all(h["strategy"] == "fulltext" and h["score"] > 0 for h in hits)
    assert body["data"]["search"]["strategiesUsed"] == ["fulltext"]


async def test_search_requires_the_search_feature(bclient, sworld):
    from tests.conftest import login

    outsider = await login(bclient, sworld.emails["no_search"])
    status, body = await outsider.get("/api/search/search", params={"q": "anything"})
    assert status == 403 and body["requiredFeatures"] == ["search.view"]
    body = await outsider.gql('{ search(query: "anything") { timing } }')
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "forbidden"


async def test_a_dispatch_batch_indexes_its_records_together(sworld, boss, searcher, bsettings, sessionmaker):
    """A batch of events costs the index a read, an upsert and a delete per entity type, not a
    session per record: 40 people created and 3 of them deleted take a bounded number of statements."""
    await run_worker(bsettings)  # what earlier tests left pending is dispatched
    last = unique("Batch")
    ids = [await person(boss, sworld.branch_org, f"Rider{i}", last) for i in range(40)]
    for gone in ids[:3]:
        assert (await boss.delete(f"/api/customers/people?id={gone}"))[0] == 200
    redis = await create_pool(
        RedisSettings.from_dsn(bsettings.redis_url), default_queue_name=bsettings.queue_name
    )
    ctx = {"sessionmaker": sessionmaker, "settings": bsettings, "redis": redis}
    try:
        async with count_statements() as counter:
            dispatched, retried, failed, _ = await dispatch_batch(ctx)
    finally:
        await redis.aclose()
    assert dispatched >= 43 and (retried, failed) == (0, 0)  # ours, and any a job of the drain emitted
    assert counter.count <= 20, counter  # one session per record took 4 or more each (> 170)

    hits = await found(searcher, last, strategies="fulltext", limit="50")
    assert sorted(h["recordId"] for h in hits) == sorted(ids[3:])

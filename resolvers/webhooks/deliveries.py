"""Delivery operations, bound to both documented path families (``/webhooks/deliveries`` and
``/webhooks/webhook-deliveries``): list with filters, read one, retry one (re-queued now), and the
synchronous test delivery of an endpoint (posted in the request, without the queue)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import update

from crmgraph.context import RequestContext
from crmgraph.errors import Conflict
from models.webhooks import WebhookDelivery
from resolvers.crud import service
from resolvers.entity import serialize
from resolvers.events import enqueue_best_effort, record_command
from resolvers.listing import parse_list_query
from resolvers.operations import Rest, operation, pick
from resolvers.validation import SafeDict, text
from resolvers.webhooks.endpoints import both, query_of
from resolvers.webhooks.entities import DELIVERY, MANAGE, MODULE, TEST, VIEW, WEBHOOK
from resolvers.webhooks.sender import DELIVER_JOB, attempt, http_session

FAMILIES = ("/webhooks/deliveries", "/webhooks/webhook-deliveries")
TEST_EVENT = "webhooks.test"


def at_both(method: str, suffix: str = "", **options: Any) -> tuple[Rest, ...]:
    return tuple(Rest(method, family + suffix, **options) for family in FAMILIES)


class DeliveryListQuery(BaseModel):
    model_config = ConfigDict(extra="allow")
    page: text(32) | None = None
    pageSize: text(32) | None = None
    webhookId: text(64) | None = None
    eventType: text(200) | None = None
    status: text(20) | None = None
    sortField: text(64) | None = None
    sortDir: text(8) | None = None


class DeliveryRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: text(64)


class TestInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: text(64)
    eventType: text(200) | None = None
    payload: SafeDict | None = None


class DeliveryResult(BaseModel):
    model_config = ConfigDict(title="WebhookDeliveryResult")
    success: bool
    delivery: dict[str, Any]


def delivery_body(row: WebhookDelivery) -> dict[str, Any]:
    return serialize(DELIVERY, row)


@operation(
    "list_webhook_deliveries",
    MODULE,
    input=DeliveryListQuery,
    kind="query",
    features=(VIEW,),
    rest=at_both("GET"),
    graphql=False,
)
async def list_deliveries(ctx: RequestContext, data: DeliveryListQuery) -> dict[str, Any]:
    """Delivery attempts, newest first, by endpoint, event type and status (GraphQL: ``webhookDeliveries``)."""
    params = parse_list_query(DELIVERY, query_of(data))
    if params.sort_field is None:
        params.sort_field, params.sort_dir = "created_at", "desc"
    page = await service(DELIVERY).list_json(ctx, params)
    return page.envelope([json.loads(row) for row in page.items])


@operation(
    "get_webhook_delivery",
    MODULE,
    input=DeliveryRef,
    kind="query",
    features=(VIEW,),
    rest=at_both("GET", "/{id}"),
    graphql=False,
)
async def get_delivery(ctx: RequestContext, data: DeliveryRef) -> dict[str, Any]:
    """One delivery with its payload and the last answer (GraphQL: ``webhookDelivery``)."""
    return delivery_body(await service(DELIVERY).get(ctx, data.id, check=False))


@operation(
    "retry_webhook_delivery",
    MODULE,
    input=DeliveryRef,
    output=DeliveryResult,
    graphql_result=pick("success"),
    features=(MANAGE,),
    rest=at_both("POST", "/{id}/retry"),
)
async def retry_delivery(ctx: RequestContext, data: DeliveryRef) -> dict[str, Any]:
    """Due again now, with attempts to spare (one more than made), and queued; the ``webhook-id``
    stays the same. A delivered one is a 409."""
    async with ctx.unit_of_work() as uow:
        row = await service(DELIVERY).fetch(ctx, uow.session, data.id, lock=True)
        if row.status == "delivered":
            raise Conflict("Delivery already succeeded", code="webhook_delivery_delivered")
        before = delivery_body(row)
        await uow.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == row.id)
            .values(
                status="pending",
                next_retry_at=None,
                enqueued_at=datetime.now(UTC),
                max_attempts=max(row.max_attempts, row.attempt_number + 1),
            )
        )
        await uow.session.refresh(row)
        record_command(
            ctx,
            uow,
            module=MODULE,
            entity="webhook_delivery",
            verb="retry",
            event="retried",
            resource_id=row.id,
            tenant_id=row.tenant_id,
            organization_id=row.organization_id,
            before=before,
            after=delivery_body(row),
        )
        job = f"webhook:{row.id}:retry:{uuid.uuid4().hex[:8]}"
        uow.after_commit(lambda: enqueue_best_effort(ctx, DELIVER_JOB, str(row.id), _job_id=job))
    return {"success": True, "delivery": delivery_body(row)}


@operation(
    "test_webhook",
    MODULE,
    input=TestInput,
    output=DeliveryResult,
    graphql_result=pick("success"),
    features=(TEST,),
    transaction=False,  # the request is posted after the delivery row is committed, in no transaction
    rest=both("POST", "/{id}/test"),
)
async def test_webhook(ctx: RequestContext, data: TestInput) -> dict[str, Any]:
    """Post a synthetic event to the endpoint now (not queued) and answer the recorded delivery;
    ``success`` says whether the endpoint answered 2xx. Works for a disabled endpoint too."""
    async with ctx.unit_of_work() as uow:
        endpoint = await service(WEBHOOK).fetch(ctx, uow.session, data.id)
        row = WebhookDelivery(
            id=uuid.uuid4(),
            tenant_id=endpoint.tenant_id,
            organization_id=endpoint.organization_id,
            webhook_id=endpoint.id,
            event_type=data.eventType or TEST_EVENT,
            message_id=f"msg_{uuid.uuid4().hex}",
            status="pending",
            payload=data.payload
            or {"test": True, "webhookId": str(endpoint.id), "tenantId": str(endpoint.tenant_id)},
            target_url=endpoint.url,
            attempt_number=0,
            max_attempts=1,
            created_at=datetime.now(UTC),
        )
        uow.session.add(row)
    async with http_session(ctx.settings) as http:
        await attempt(ctx.sessionmaker, ctx.settings, http, row.id, force=True)
    async with ctx.read_session() as session:
        stored = await session.get(WebhookDelivery, row.id)
    return {"success": stored.status == "delivered", "delivery": delivery_body(stored)}

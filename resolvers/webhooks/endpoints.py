"""Endpoint operations, each declared once and bound to both documented path families
(``/webhooks/...`` and ``/webhooks/webhooks/...``): list, create (the secret answered once), read
(masked secret), update, delete (soft), rotate the secret, and the catalog of subscribable events."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField

from crmgraph.context import RequestContext, UnitOfWork
from models.webhooks import WebhookEndpoint
from resolvers.crud import guarded, service
from resolvers.entity import ENTITIES, Hooks, serialize
from resolvers.events import DECLARED_EVENTS, record_command
from resolvers.listing import parse_list_query
from resolvers.operations import Rest, operation, pick, reloaded
from resolvers.validation import SafeDict, text
from resolvers.webhooks.entities import MANAGE, MASK, MODULE, SECRETS, VIEW, WEBHOOK
from resolvers.webhooks.security import checked_url, new_secret, seal

FAMILIES = ("/webhooks", "/webhooks/webhooks")  # the two documented path families, one declaration
EventName = text(200)
HeaderValue = text(2000)


def both(method: str, suffix: str = "", **options: Any) -> tuple[Rest, ...]:
    """The binding of an operation at ``<family><suffix>`` in both path families."""
    return tuple(Rest(method, family + suffix, **options) for family in FAMILIES)


# --- rules every write goes through --------------------------------------------------------------


async def _before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    await checked_url(ctx.settings, data["url"])
    data["secret"] = new_secret()  # answered once by ``create_result``; stored only encrypted
    data["secret_encrypted"], data["secret_hint"] = seal(ctx.settings, data["secret"])
    for attr, default in DEFAULTS.items():
        if data.get(attr) is None:
            data[attr] = default() if callable(default) else default


async def _before_update(
    ctx: RequestContext, uow: UnitOfWork, obj: WebhookEndpoint, data: dict[str, Any]
) -> None:
    if data.get("url") not in (None, obj.url):
        await checked_url(ctx.settings, data["url"])
    if data.get("is_active") and not obj.is_active:  # re-enabled: its failure streak starts over
        data.update(consecutive_failures=0, failing_since=None, disabled_reason=None)
    for attr in DEFAULTS:
        if attr in data and data[attr] is None:
            data.pop(attr)


DEFAULTS: dict[str, Any] = {
    "subscribed_events": list,
    "http_method": "POST",
    "delivery_strategy": "http",
    "max_retries": 10,
    "timeout_ms": 15000,
    "rate_limit_per_minute": 0,
    "auto_disable_threshold": 100,
    "is_active": True,
    "consecutive_failures": 0,
}

WEBHOOK.hooks = guarded(
    WebhookEndpoint,
    Hooks(
        before_create=_before_create,
        before_update=_before_update,
        create_result=lambda obj, data: {"secret": data["secret"]},
    ),
)


# --- inputs and outputs ---------------------------------------------------------------------------


class WebhookSettings(BaseModel):
    """What an endpoint can be configured with (bounds of the columns)."""

    model_config = ConfigDict(extra="ignore")
    description: text(5000) | None = None
    subscribedEvents: list[EventName] | None = PydanticField(default=None, max_length=200)
    httpMethod: Literal["POST", "PUT", "PATCH"] | None = None
    customHeaders: dict[text(200), HeaderValue] | None = PydanticField(default=None, max_length=50)
    deliveryStrategy: Literal["http"] | None = None
    strategyConfig: SafeDict | None = None
    maxRetries: int | None = PydanticField(default=None, ge=0, le=50)
    timeoutMs: int | None = PydanticField(default=None, ge=1000, le=30000)
    rateLimitPerMinute: int | None = PydanticField(default=None, ge=0, le=100000)
    autoDisableThreshold: int | None = PydanticField(default=None, ge=0, le=100000)
    integrationId: text(200) | None = None
    isActive: bool | None = None


class WebhookInput(WebhookSettings):
    name: text(200) = PydanticField(min_length=1)
    url: text(2000) = PydanticField(min_length=1)


class WebhookPatch(WebhookSettings):
    id: text(64)
    name: text(200) | None = PydanticField(default=None, min_length=1)
    url: text(2000) | None = PydanticField(default=None, min_length=1)


class WebhookRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: text(64)


class WebhookListQuery(BaseModel):
    model_config = ConfigDict(extra="allow")
    page: text(32) | None = None
    pageSize: text(32) | None = None
    search: text(200) | None = None
    isActive: text(10) | None = None
    sortField: text(64) | None = None
    sortDir: text(8) | None = None


class WebhookCreated(BaseModel):
    """The created endpoint with its signing secret (shown this once)."""

    id: str
    name: str
    url: str
    secret: str
    subscribedEvents: list[str]
    isActive: bool


class SecretRotated(BaseModel):
    success: bool
    secret: str
    previousSecretSetAt: str | None


class EventType(BaseModel):
    id: str
    label: str


class EventCatalog(BaseModel):
    data: list[EventType]
    total: int


def detail(obj: WebhookEndpoint) -> dict[str, Any]:
    """An endpoint as the detail routes answer it (the secret masked)."""
    return {**serialize(WEBHOOK, obj), "maskedSecret": MASK + obj.secret_hint}


def _body(data: BaseModel) -> dict[str, Any]:
    return data.model_dump(mode="json", exclude_unset=True, exclude={"id"})


def query_of(data: BaseModel) -> dict[str, str]:
    raw = {**data.model_dump(exclude_none=True), **(data.model_extra or {})}
    return {k: v for k, v in raw.items() if isinstance(v, str)}


# --- operations ----------------------------------------------------------------------------------


@operation(
    "list_webhooks",
    MODULE,
    input=WebhookListQuery,
    kind="query",
    features=(VIEW,),
    rest=both("GET"),
    graphql=False,
)
async def list_webhooks(ctx: RequestContext, data: WebhookListQuery) -> dict[str, Any]:
    """The endpoints of the caller's tenant and organizations (GraphQL: ``webhookEndpoints``)."""
    page = await service(WEBHOOK).list_json(ctx, parse_list_query(WEBHOOK, query_of(data)))
    return page.envelope([json.loads(row) for row in page.items])


@operation(
    "create_webhook",
    MODULE,
    input=WebhookInput,
    output=WebhookCreated,
    features=(MANAGE,),
    rest=both("POST", status=201),
)
async def create_webhook(ctx: RequestContext, data: WebhookInput) -> dict[str, Any]:
    """Create an endpoint; its signing secret (``whsec_...``) is answered this once, stored encrypted.
    A URL resolving to a private/loopback/link-local/reserved address is a 400."""
    obj, extra = await service(WEBHOOK).create(ctx, data.model_dump(mode="json", exclude_unset=True))
    return {
        "id": str(obj.id),
        "name": obj.name,
        "url": obj.url,
        "secret": extra["secret"],
        "subscribedEvents": obj.subscribed_events,
        "isActive": obj.is_active,
    }


@operation(
    "get_webhook",
    MODULE,
    input=WebhookRef,
    kind="query",
    features=(VIEW,),
    rest=both("GET", "/{id}"),
    graphql=False,
)
async def get_webhook(ctx: RequestContext, data: WebhookRef) -> dict[str, Any]:
    """One endpoint: configuration, delivery settings and the masked secret (GraphQL: ``webhookEndpoint``)."""
    return detail(await service(WEBHOOK).get(ctx, data.id, check=False))


@operation(
    "update_webhook",
    MODULE,
    input=WebhookPatch,
    output=WEBHOOK,
    graphql_result=reloaded(WEBHOOK, lambda r: r["id"]),
    features=(MANAGE,),
    rest=(*both("PUT", "/{id}"), Rest("PUT", "/webhooks/webhooks")),
)
async def update_webhook(ctx: RequestContext, data: WebhookPatch) -> dict[str, Any]:
    """Change an endpoint's configuration (a new URL is checked like on create)."""
    return detail(await service(WEBHOOK).update(ctx, _body(data), id_=data.id))


@operation(
    "delete_webhook",
    MODULE,
    input=WebhookRef,
    output=bool,
    graphql_result=pick("success"),
    features=(MANAGE,),
    rest=(*both("DELETE", "/{id}"), Rest("DELETE", "/webhooks/webhooks")),
)
async def delete_webhook(ctx: RequestContext, data: WebhookRef) -> dict[str, Any]:
    """Soft-delete an endpoint: it receives nothing more; its deliveries stay readable."""
    await service(WEBHOOK).delete(ctx, data.id)
    return {"success": True}


@operation(
    "rotate_webhook_secret",
    MODULE,
    input=WebhookRef,
    output=SecretRotated,
    features=(SECRETS,),
    rest=both("POST", "/{id}/rotate-secret"),
)
async def rotate_secret(ctx: RequestContext, data: WebhookRef) -> dict[str, Any]:
    """A new signing secret, answered once. For 24 hours (``sender.ROTATION_GRACE``) deliveries are
    signed with both the new and the previous secret (two signatures in ``webhook-signature``)."""
    async with ctx.unit_of_work() as uow:
        obj = await service(WEBHOOK).fetch(ctx, uow.session, data.id, lock=True)
        before = serialize(WEBHOOK, obj)
        secret = new_secret()
        obj.previous_secret_encrypted = obj.secret_encrypted
        obj.previous_secret_set_at = datetime.now(UTC)
        obj.secret_encrypted, obj.secret_hint = seal(ctx.settings, secret)
        await uow.session.flush()
        await uow.session.refresh(obj)
        after = serialize(WEBHOOK, obj)
        record_command(
            ctx,
            uow,
            module=MODULE,
            entity="webhook",
            verb="rotate_secret",
            event="secret_rotated",
            resource_id=obj.id,
            tenant_id=obj.tenant_id,
            organization_id=obj.organization_id,
            before=before,
            after=after,
        )
    return {"success": True, "secret": secret, "previousSecretSetAt": after["previousSecretSetAt"]}


def event_catalog() -> list[dict[str, str]]:
    """Every domain event the system can emit except the webhooks module's own: each declared
    entity's created/updated/deleted, plus the names modules declare or have emitted."""
    names = {
        f"{e.event_prefix}.{verb}" for e in ENTITIES.values() for verb in ("created", "updated", "deleted")
    }
    names |= DECLARED_EVENTS
    return [{"id": n, "label": label(n)} for n in sorted(names) if not n.startswith(f"{MODULE}.")]


def label(name: str) -> str:
    *_, entity, verb = name.split(".") if name.count(".") >= 2 else ("", "", name)
    return f"{entity.replace('_', ' ').capitalize()} {verb.replace('_', ' ')}".strip()


@operation(
    "webhook_events",
    MODULE,
    output=EventCatalog,
    kind="query",
    features=(VIEW,),
    rest=Rest("GET", "/webhooks/events"),
)
async def webhook_events(ctx: RequestContext) -> dict[str, Any]:
    """The event types an endpoint can subscribe to, sorted by id."""
    data = event_catalog()
    return {"data": data, "total": len(data)}

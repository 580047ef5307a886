"""Webhook endpoints, their deliveries and the attempts of each delivery: declarations."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import literal, select

from models.webhooks import WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint
from resolvers.entity import Computed, Entity, Features, Field, Relation, eq

MODULE = "webhooks"
VIEW, MANAGE = "webhooks.view", "webhooks.manage"
SECRETS, TEST = "webhooks.secrets", "webhooks.test"
READONLY = {"create": False, "update": False}
MASK = "whsec_****"


def _readonly(attr: str, type_: type = str, **options: object) -> Field:
    return Field(attr, type_, **READONLY, **options)


def _masked_secret() -> object:
    return literal(MASK).op("||")(WebhookEndpoint.secret_hint)


WEBHOOK = Entity(
    name="webhook",
    module=MODULE,
    model=WebhookEndpoint,
    path=None,  # REST: the declared operations in ``resolvers.webhooks.endpoints`` (two path families)
    graphql_name="WebhookEndpoint",
    plural="webhookEndpoints",
    features=Features(view=[VIEW], create=[MANAGE], update=[MANAGE], delete=[MANAGE]),
    rest_verbs=(),
    mutations=(),  # GraphQL mutations: the declared operations (create answers the secret once)
    fields=[
        Field("name", str, required=True, sort=True, search=True, max_length=200),
        Field("description", str, search=True),
        Field("url", str, required=True, sort=True, search=True, max_length=2000),
        Field("subscribed_events", list),
        Field("http_method", str, max_length=10),
        Field("is_active", bool, sort=True),
        Field("delivery_strategy", str, max_length=50),
        Field("max_retries", int),
        _readonly("consecutive_failures", int, sort=True),
        _readonly("last_success_at", datetime, sort=True),
        _readonly("last_failure_at", datetime, sort=True),
        _readonly("created_at", datetime, sort=True),
        _readonly("updated_at", datetime, sort=True),
        Field("custom_headers", dict),
        Field("strategy_config", dict),
        Field("timeout_ms", int),
        Field("rate_limit_per_minute", int),
        Field("auto_disable_threshold", int),
        Field("integration_id", str, max_length=200),
        _readonly("previous_secret_set_at", datetime),
        _readonly("disabled_reason", str),
        Field("organization_id", uuid.UUID, update=False),
        _readonly("tenant_id", uuid.UUID),
    ],
    filters=[eq("isActive", WebhookEndpoint.is_active, bool), eq("url", WebhookEndpoint.url)],
    relations=[
        Relation("deliveries", "webhook_delivery", "many", target_fk="webhook_id", description="Newest last.")
    ],
    computed=[Computed("maskedSecret", _masked_secret)],
    default_sort="created_at",
    description="An HTTPS endpoint receiving the organization's domain events, signed (Standard Webhooks).",
)


def _webhook_name() -> object:
    return (
        select(WebhookEndpoint.name).where(WebhookEndpoint.id == WebhookDelivery.webhook_id).scalar_subquery()
    )


DELIVERY = Entity(
    name="webhook_delivery",
    module=MODULE,
    model=WebhookDelivery,
    path=None,
    graphql_name="WebhookDelivery",
    plural="webhookDeliveries",
    features=Features(view=[VIEW], create=[MANAGE], update=[MANAGE], delete=[MANAGE]),
    soft_delete=False,
    rest_verbs=(),
    mutations=(),
    fields=[
        _readonly("webhook_id", uuid.UUID),
        _readonly("event_type", sort=True),
        _readonly("message_id"),
        _readonly("status", sort=True),
        _readonly("response_status", int),
        _readonly("error_message"),
        _readonly("attempt_number", int),
        _readonly("max_attempts", int),
        _readonly("target_url"),
        _readonly("duration_ms", int),
        _readonly("enqueued_at", datetime, sort=True),
        _readonly("last_attempt_at", datetime, sort=True),
        _readonly("delivered_at", datetime, sort=True),
        _readonly("created_at", datetime, sort=True),
        _readonly("payload", dict),
        _readonly("response_body"),
        _readonly("response_headers", dict),
        _readonly("next_retry_at", datetime),
        _readonly("updated_at", datetime),
        _readonly("event_id", uuid.UUID),
        _readonly("organization_id", uuid.UUID),
        _readonly("tenant_id", uuid.UUID),
    ],
    filters=[
        eq("webhookId", WebhookDelivery.webhook_id, uuid.UUID),
        eq("eventType", WebhookDelivery.event_type),
        eq("status", WebhookDelivery.status),
    ],
    relations=[
        Relation("webhook", "webhook", "one", source_fk="webhook_id"),
        Relation("attempts", "webhook_delivery_attempt", "many", target_fk="delivery_id"),
    ],
    computed=[Computed("webhookName", _webhook_name)],
    default_sort="created_at",
    description="One event for one endpoint (``messageId`` is its stable ``webhook-id``), attempted until delivered.",
)

ATTEMPT = Entity(
    name="webhook_delivery_attempt",
    module=MODULE,
    model=WebhookDeliveryAttempt,
    path=None,
    graphql_name="WebhookDeliveryAttempt",
    plural="webhookDeliveryAttempts",
    scope="tenant",
    features=Features(view=[VIEW]),
    soft_delete=False,
    rest_verbs=(),
    mutations=(),
    fields=[
        _readonly("delivery_id", uuid.UUID),
        _readonly("attempt_number", int, sort=True),
        _readonly("response_status", int),
        _readonly("duration_ms", int),
        _readonly("response_excerpt"),
        _readonly("error_message"),
        _readonly("created_at", datetime, sort=True),
        _readonly("tenant_id", uuid.UUID),
    ],
    filters=[eq("deliveryId", WebhookDeliveryAttempt.delivery_id, uuid.UUID)],
    relations=[Relation("delivery", "webhook_delivery", "one", source_fk="delivery_id")],
    default_sort="created_at",
    description="One HTTP attempt of a delivery: status, latency and the first KB of the answer.",
)

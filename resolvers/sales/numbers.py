"""Document numbers and the organization's sales settings.

A number comes from a per-organization, per-kind counter incremented by ``INSERT ... ON CONFLICT
DO UPDATE ... RETURNING`` in the command's own transaction: concurrent commands queue on the
counter row, so numbers never repeat, and a rolled-back command gives its number back.
Formats: ``{YYYY}``, ``{YY}``, ``{MM}``, ``{DD}`` and ``{seq}`` / ``{seq:N}`` (zero-padded to N).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import BadRequest
from models.sales import SalesDocumentSequence, SalesOrderStatus, SalesSettings
from resolvers.operations import Rest, operation
from resolvers.sales.common import MODULE, SETTINGS_MANAGE, fail
from resolvers.scope import org_scope
from resolvers.sequences import take_next
from resolvers.validation import text

DEFAULT_FORMATS = {"order": "SO-{YYYY}-{seq:5}", "quote": "SQ-{YYYY}-{seq:5}", "return": "RMA-{YYYY}-{seq:5}"}
DEFAULT_FORMATS["shipment"] = "SH-{YYYY}-{seq:5}"
TOKEN = re.compile(r"\{([A-Za-z]+)(?::(\d{1,2}))?\}")
DATE_TOKENS = {"YYYY": "%Y", "YY": "%y", "MM": "%m", "DD": "%d"}
Kind = Literal["order", "quote"]


def check_format(fmt: str, path: str) -> str:
    fmt = fmt.strip()
    tokens = TOKEN.findall(fmt)
    if not any(name == "seq" for name, _ in tokens):
        raise fail(path, "The format must contain {seq} or {seq:N}", "invalid_string")
    for name, width in tokens:
        if name != "seq" and (name not in DATE_TOKENS or width):
            raise fail(path, f"Unknown token {{{name}}}; use YYYY, YY, MM, DD or seq", "invalid_string")
        if name == "seq" and width and not 1 <= int(width) <= 12:
            raise fail(path, "{seq:N}: N between 1 and 12", "invalid_string")
    if "{" in TOKEN.sub("", fmt) or "}" in TOKEN.sub("", fmt):
        raise fail(path, "Unbalanced braces", "invalid_string")
    return fmt


def render(fmt: str, sequence: int, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)

    def token(match: re.Match[str]) -> str:
        name, width = match.group(1), match.group(2)
        if name == "seq":
            return str(sequence).zfill(int(width)) if width else str(sequence)
        return now.strftime(DATE_TOKENS[name])

    return TOKEN.sub(token, fmt)


async def selected_organization(ctx: RequestContext) -> tuple[uuid.UUID, uuid.UUID]:
    """Tenant and organization the settings are kept for (the selected one, else the caller's)."""
    scope = await org_scope(ctx)
    org_id = scope.selected_org_id or ctx.require_auth().org_id
    if scope.tenant_id is None or org_id is None:
        raise BadRequest("Organization context is required")
    return scope.tenant_id, org_id


async def settings_row(session: Any, tenant: uuid.UUID, org: uuid.UUID | None) -> SalesSettings | None:
    return await session.scalar(
        select(SalesSettings).where(SalesSettings.tenant_id == tenant, SalesSettings.organization_id == org)
    )


async def number_format(session: Any, tenant: uuid.UUID, org: uuid.UUID | None, kind: str) -> str:
    row = await settings_row(session, tenant, org)
    if row is not None and kind in ("order", "quote"):
        return getattr(row, f"{kind}_number_format")
    return DEFAULT_FORMATS[kind]


async def next_number(
    uow: UnitOfWork, tenant: uuid.UUID, org: uuid.UUID | None, kind: str
) -> tuple[str, int, str]:
    """``(number, sequence, format)``: the organization's next ``kind`` number, taken in ``uow``."""
    if org is None:  # numbers are per organization
        raise BadRequest("Organization context is required")
    sequence = await take_next(
        uow.session,
        SalesDocumentSequence.last_value,
        {"id": uuid.uuid4(), "tenant_id": tenant, "organization_id": org, "kind": kind},
        constraint="uq_sales_document_sequences_kind",
    )
    fmt = await number_format(uow.session, tenant, org, kind)
    return render(fmt, sequence), sequence, fmt


async def peek(session: Any, tenant: uuid.UUID, org: uuid.UUID | None, kind: str) -> int:
    last = await session.scalar(
        select(SalesDocumentSequence.last_value).where(
            SalesDocumentSequence.tenant_id == tenant,
            SalesDocumentSequence.organization_id == org,
            SalesDocumentSequence.kind == kind,
        )
    )
    return (last or 0) + 1


# --- operations -----------------------------------------------------------------------------------


class NumberInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    kind: Kind = "order"
    organizationId: uuid.UUID | None = None
    tenantId: uuid.UUID | None = None


class NumberOutput(BaseModel):
    number: str
    format: str
    sequence: int


@operation(
    "generate_sales_document_number",
    MODULE,
    input=NumberInput,
    output=NumberOutput,
    rest=Rest("POST", "/sales/document-numbers"),
)
async def generate_number(ctx: RequestContext, data: NumberInput) -> dict[str, Any]:
    """Take the next order or quote number of the organization (it is never handed out again);
    needs the rights to manage that kind of document."""
    ctx.require_features([f"sales.{data.kind}s.manage"])
    tenant, org = await selected_organization(ctx)
    if data.organizationId is not None and data.organizationId != org:
        scope = await org_scope(ctx)
        if not scope.allows_org(data.organizationId):
            raise fail("organizationId", "Organization not found", "not_found")
        org = data.organizationId
    async with ctx.unit_of_work() as uow:
        number, sequence, fmt = await next_number(uow, tenant, org, data.kind)
    return {"number": number, "format": fmt, "sequence": sequence}


class DocumentNumberSettings(BaseModel):
    orderNumberFormat: str
    quoteNumberFormat: str
    nextOrderNumber: int
    nextQuoteNumber: int


class StatusOption(BaseModel):
    id: uuid.UUID
    value: str
    label: str


class OrderEditingSettings(BaseModel):
    orderCustomerEditableStatuses: list[str] | None = None
    orderAddressEditableStatuses: list[str] | None = None
    orderStatuses: list[StatusOption]


StatusList = list[text(100)] | None


class SettingsInput(BaseModel):
    """A partial update: keys left out keep their stored value (null clears a status list)."""

    model_config = ConfigDict(extra="ignore")
    organizationId: uuid.UUID | None = None
    tenantId: uuid.UUID | None = None
    orderNumberFormat: text(100) | None = None
    quoteNumberFormat: text(100) | None = None
    orderCustomerEditableStatuses: StatusList = PydanticField(None, max_length=100)
    orderAddressEditableStatuses: StatusList = PydanticField(None, max_length=100)


async def document_number_settings(ctx: RequestContext) -> dict[str, Any]:
    tenant, org = await selected_organization(ctx)
    async with ctx.read_session() as session:
        return {
            "orderNumberFormat": await number_format(session, tenant, org, "order"),
            "quoteNumberFormat": await number_format(session, tenant, org, "quote"),
            "nextOrderNumber": await peek(session, tenant, org, "order"),
            "nextQuoteNumber": await peek(session, tenant, org, "quote"),
        }


async def order_editing_settings(ctx: RequestContext) -> dict[str, Any]:
    tenant, org = await selected_organization(ctx)
    async with ctx.read_session() as session:
        row = await settings_row(session, tenant, org)
        statuses = (
            await session.execute(
                select(SalesOrderStatus)
                .where(
                    SalesOrderStatus.tenant_id == tenant,
                    SalesOrderStatus.organization_id == org,
                    SalesOrderStatus.deleted_at.is_(None),
                )
                .order_by(SalesOrderStatus.value)
            )
        ).scalars()
        options = [{"id": s.id, "value": s.value, "label": s.label or s.value} for s in statuses]
    return {
        "orderCustomerEditableStatuses": row.order_customer_editable_statuses if row else None,
        "orderAddressEditableStatuses": row.order_address_editable_statuses if row else None,
        "orderStatuses": options,
    }


async def save_settings(ctx: RequestContext, data: SettingsInput) -> None:
    tenant, org = await selected_organization(ctx)
    given = data.model_fields_set
    async with ctx.unit_of_work() as uow:
        row = await uow.session.scalar(
            select(SalesSettings)
            .where(SalesSettings.tenant_id == tenant, SalesSettings.organization_id == org)
            .with_for_update()
        )
        if row is None:
            row = SalesSettings(
                id=uuid.uuid4(),
                tenant_id=tenant,
                organization_id=org,
                order_number_format=DEFAULT_FORMATS["order"],
                quote_number_format=DEFAULT_FORMATS["quote"],
            )
            uow.session.add(row)
        if "orderNumberFormat" in given and data.orderNumberFormat is not None:
            row.order_number_format = check_format(data.orderNumberFormat, "orderNumberFormat")
        if "quoteNumberFormat" in given and data.quoteNumberFormat is not None:
            row.quote_number_format = check_format(data.quoteNumberFormat, "quoteNumberFormat")
        for key, attr in (
            ("orderCustomerEditableStatuses", "order_customer_editable_statuses"),
            ("orderAddressEditableStatuses", "order_address_editable_statuses"),
        ):
            if key in given:
                values = getattr(data, key)
                setattr(
                    row,
                    attr,
                    sorted({v.strip() for v in values if v.strip()}) if values is not None else None,
                )
        await uow.session.flush()


@operation(
    "sales_document_number_settings",
    MODULE,
    output=DocumentNumberSettings,
    kind="query",
    features=(SETTINGS_MANAGE,),
    rest=Rest("GET", "/sales/settings/document-numbers"),
)
async def get_number_settings(ctx: RequestContext) -> dict[str, Any]:
    """Number formats of orders and quotes, and the next number of each."""
    return await document_number_settings(ctx)


@operation(
    "update_sales_document_number_settings",
    MODULE,
    input=SettingsInput,
    output=DocumentNumberSettings,
    features=(SETTINGS_MANAGE,),
    rest=Rest("PUT", "/sales/settings/document-numbers"),
)
async def put_number_settings(ctx: RequestContext, data: SettingsInput) -> dict[str, Any]:
    """Change the number formats (each must contain ``{seq}``)."""
    await save_settings(ctx, data)
    return await document_number_settings(ctx)


@operation(
    "sales_order_editing_settings",
    MODULE,
    output=OrderEditingSettings,
    kind="query",
    features=(SETTINGS_MANAGE,),
    rest=Rest("GET", "/sales/settings/order-editing"),
)
async def get_editing_settings(ctx: RequestContext) -> dict[str, Any]:
    """In which order statuses the customer and the addresses may still change (null: any)."""
    return await order_editing_settings(ctx)


@operation(
    "update_sales_order_editing_settings",
    MODULE,
    input=SettingsInput,
    output=OrderEditingSettings,
    features=(SETTINGS_MANAGE,),
    rest=Rest("PUT", "/sales/settings/order-editing"),
)
async def put_editing_settings(ctx: RequestContext, data: SettingsInput) -> dict[str, Any]:
    """Set the order statuses in which the customer / the addresses may change."""
    await save_settings(ctx, data)
    return await order_editing_settings(ctx)

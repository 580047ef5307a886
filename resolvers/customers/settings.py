"""Customers settings of the selected organization (the address format) and how that organization
is resolved for settings and dictionaries."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext
from crmgraph.errors import BadRequest
from models.customers import CustomerSettings
from resolvers.crud import flush_or_conflict
from resolvers.customers.common import record_command
from resolvers.operations import Rest, operation, pick
from resolvers.scope import org_scope

MANAGE = ["customers.settings.manage"]


async def selected_organization(ctx: RequestContext) -> tuple[uuid.UUID, uuid.UUID]:
    """Tenant and the organization settings and dictionaries are kept for (selected, else the caller's)."""
    scope = await org_scope(ctx)
    org_id = scope.selected_org_id or ctx.require_auth().org_id
    if scope.tenant_id is None:
        raise BadRequest("Tenant context is required")
    if org_id is None:
        raise BadRequest("Organization context is required")
    return scope.tenant_id, org_id


AddressFormat = Literal["line_first", "street_first"]


class AddressFormatInput(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")
    address_format: AddressFormat = PydanticField(alias="addressFormat")


class AddressFormatOutput(BaseModel):
    address_format: AddressFormat = PydanticField(alias="addressFormat")


@operation(
    "customer_address_format",
    "customers",
    kind="query",
    output=str,
    features=tuple(MANAGE),
    rest=Rest("GET", "/customers/settings/address-format"),
    graphql_result=pick("addressFormat"),
)
async def get_address_format(ctx: RequestContext) -> dict[str, Any]:
    """The address format of the selected organization."""
    tenant_id, org_id = await selected_organization(ctx)
    async with ctx.read_session() as session:
        stored = await session.scalar(
            select(CustomerSettings.address_format).where(
                CustomerSettings.tenant_id == tenant_id, CustomerSettings.organization_id == org_id
            )
        )
    return {"addressFormat": stored or "line_first"}


@operation(
    "set_customer_address_format",
    "customers",
    input=AddressFormatInput,
    output=str,
    features=tuple(MANAGE),
    rest=Rest("PUT", "/customers/settings/address-format"),
    graphql_result=pick("addressFormat"),
)
async def set_address_format(ctx: RequestContext, data: AddressFormatInput) -> dict[str, Any]:
    """Store the address format of the selected organization (``line_first`` or ``street_first``)."""
    tenant_id, org_id = await selected_organization(ctx)
    async with ctx.unit_of_work() as uow:
        settings = await uow.session.scalar(
            select(CustomerSettings)
            .where(CustomerSettings.tenant_id == tenant_id, CustomerSettings.organization_id == org_id)
            .with_for_update()
        )
        before = {"addressFormat": settings.address_format} if settings else None
        if settings is None:
            settings = CustomerSettings(id=uuid.uuid4(), tenant_id=tenant_id, organization_id=org_id)
            uow.session.add(settings)
        settings.address_format = data.address_format
        await flush_or_conflict(uow)
        record_command(
            ctx,
            uow,
            entity="settings",
            verb="updated",
            resource_id=settings.id,
            tenant_id=tenant_id,
            organization_id=org_id,
            before=before,
            after={"addressFormat": data.address_format},
        )
    return {"addressFormat": data.address_format}

"""The documented Akeneo routes: discovery, the attribute mapping ("custom fields"), the first
import (and its last run) and deleting imported products.

An import reads the pages first (a provider failure writes nothing: 502), then creates or updates
each product through the catalog's product service in one unit of work; a product the catalog
refuses is counted in ``failed`` with its error (a savepoint), the others are kept."""

from __future__ import annotations

import uuid
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext
from crmgraph.errors import Conflict, DomainError, NotFound, ValidationFailed, issue
from crmgraph.timefmt import format_datetime
from models.sync_akeneo import AkeneoImportRun, AkeneoMapping, AkeneoProductLink
from resolvers.catalog.products import PRODUCT
from resolvers.crud import service
from resolvers.events import emit, record_action
from resolvers.integrations.registry import probe
from resolvers.integrations.store import credentials_of
from resolvers.operations import Rest, operation
from resolvers.statemachine import machine
from resolvers.sync_akeneo.client import AkeneoClient, AkeneoError
from resolvers.validation import text

MODULE = "sync_akeneo"
CONFIGURE, RUN = "data_sync.configure", "data_sync.run"
INTEGRATION = "sync_akeneo"
TEXT_TARGETS = ("title", "subtitle", "description", "sku", "handle", "default_unit")
METADATA = "metadata."
DEFAULT_MAPPINGS = [
    {"attribute": "name", "target": "title"},
    {"attribute": "description", "target": "description"},
]
MAX_ERRORS = 50
# An import run: running until every fetched product was written (or refused).
RUN_STATUS = machine(
    "akeneo_import_run",
    "status",
    "running",
    running=("completed", "completed_with_errors"),
    completed=(),
    completed_with_errors=(),
)


async def akeneo(ctx: RequestContext) -> tuple[AkeneoClient | None, str]:
    """The tenant's Akeneo client, or ``(None, reason)``."""
    settings = ctx.settings
    if not settings.akeneo_api_url:
        return None, "Akeneo is not configured (AKENEO_API_URL)"
    enabled, creds = await credentials_of(ctx, INTEGRATION)
    if not enabled:
        return None, "The Akeneo integration is disabled"
    client = AkeneoClient(
        settings.akeneo_api_url,
        creds.get("clientId") or settings.akeneo_client_id,
        creds.get("clientSecret") or settings.akeneo_client_secret,
        creds.get("username") or settings.akeneo_username,
        creds.get("password") or settings.akeneo_password,
    )
    return client, ""


@probe(INTEGRATION)
async def _probe(ctx: RequestContext, _credentials: dict[str, str]) -> tuple[str, str]:
    client, reason = await akeneo(ctx)
    if client is None:
        return "unconfigured", reason
    try:
        await client.authenticate()
    except AkeneoError as exc:
        return "unhealthy", exc.message
    return "healthy", "Akeneo issued a token"


# --- discovery ------------------------------------------------------------------------------------


class AkeneoDiscovery(BaseModel):
    configured: bool
    error: str | None = None
    families: list[dict[str, Any]] = []
    attributes: list[dict[str, Any]] = []
    channels: list[dict[str, Any]] = []
    locales: list[dict[str, Any]] = []


def _label(item: dict[str, Any]) -> Any:
    labels = item.get("labels")
    return next(iter(labels.values()), None) if isinstance(labels, dict) and labels else None


@operation(
    "akeneo_discovery",
    MODULE,
    output=AkeneoDiscovery,
    kind="query",
    features=(CONFIGURE,),
    rest=Rest("GET", "/sync_akeneo/discovery"),
)
async def discovery(ctx: RequestContext) -> dict[str, Any]:
    """What the PIM offers: families, attributes (code, type, localizable, scopable), channels, locales."""
    client, reason = await akeneo(ctx)
    if client is None:
        return {"configured": False, "error": reason}
    families = await client.all("families")
    attributes = await client.all("attributes")
    channels = await client.all("channels", 2)
    locales = await client.all("locales", 2)
    return {
        "configured": True,
        "families": [{"code": f.get("code"), "label": _label(f)} for f in families],
        "attributes": [
            {
                "code": a.get("code"),
                "type": a.get("type"),
                "label": _label(a),
                "localizable": bool(a.get("localizable")),
                "scopable": bool(a.get("scopable")),
            }
            for a in attributes
        ],
        "channels": [{"code": c.get("code"), "label": _label(c)} for c in channels],
        "locales": [{"code": loc.get("code"), "enabled": bool(loc.get("enabled", True))} for loc in locales],
    }


# --- mapping --------------------------------------------------------------------------------------


class AkeneoFieldMapping(BaseModel):
    model_config = ConfigDict(extra="ignore")
    attribute: text(100) = PydanticField(min_length=1)
    target: text(120) = PydanticField(min_length=1, description="A product field or metadata.<key>")


class AkeneoMappingWrite(BaseModel):
    model_config = ConfigDict(extra="ignore")
    mappings: list[AkeneoFieldMapping] = PydanticField(max_length=200)
    locale: text(20) | None = None


class AkeneoMappingView(BaseModel):
    mappings: list[AkeneoFieldMapping]
    locale: str | None = None
    targets: list[str]
    isDefault: bool


def _check_target(target: str, path: str) -> None:
    if target in TEXT_TARGETS:
        return
    key = target.removeprefix(METADATA)
    if not target.startswith(METADATA) or not key.replace("_", "").replace("-", "").isalnum():
        raise ValidationFailed(
            [issue(path, f"One of {', '.join(TEXT_TARGETS)} or metadata.<key>", "invalid_enum_value")],
            "Invalid mapping target",
        )


async def _mapping(ctx: RequestContext) -> AkeneoMapping | None:
    async with ctx.read_session() as session:
        return await session.scalar(select(AkeneoMapping).where(AkeneoMapping.tenant_id == ctx.tenant_id()))


def _mapping_view(row: AkeneoMapping | None) -> dict[str, Any]:
    return {
        "mappings": row.mappings if row is not None else DEFAULT_MAPPINGS,
        "locale": row.locale if row is not None else None,
        "targets": [*TEXT_TARGETS, METADATA + "<key>"],
        "isDefault": row is None,
    }


@operation(
    "akeneo_custom_fields",
    MODULE,
    output=AkeneoMappingView,
    kind="query",
    features=(CONFIGURE,),
    rest=Rest("GET", "/sync_akeneo/custom-fields"),
)
async def custom_fields(ctx: RequestContext) -> dict[str, Any]:
    """Which Akeneo attribute fills which product field (the identifier always fills ``sku``)."""
    return _mapping_view(await _mapping(ctx))


@operation(
    "akeneo_save_custom_fields",
    MODULE,
    input=AkeneoMappingWrite,
    output=AkeneoMappingView,
    features=(CONFIGURE,),
    rest=Rest("POST", "/sync_akeneo/custom-fields"),
)
async def save_custom_fields(ctx: RequestContext, data: AkeneoMappingWrite) -> dict[str, Any]:
    """Replace the mapping (a target may be filled by one attribute only)."""
    seen: set[str] = set()
    for index, mapping in enumerate(data.mappings):
        _check_target(mapping.target, f"mappings.{index}.target")
        if mapping.target in seen:
            raise ValidationFailed([issue(f"mappings.{index}.target", "Target mapped twice", "duplicate")])
        seen.add(mapping.target)
    tenant = ctx.tenant_id()
    if tenant is None:
        raise NotFound()
    async with ctx.unit_of_work() as uow:
        row = await uow.session.scalar(
            select(AkeneoMapping).where(AkeneoMapping.tenant_id == tenant).with_for_update()
        )
        before = _mapping_view(row) if row is not None else None
        if row is None:
            row = AkeneoMapping(tenant_id=tenant, mappings=[])
            uow.session.add(row)
        row.mappings = [m.model_dump() for m in data.mappings]
        row.locale = data.locale
        await uow.session.flush()
        after = _mapping_view(row)
        record_action(
            ctx,
            uow,
            command_id=f"{MODULE}.custom_fields",
            label="Akeneo mapping saved",
            resource_kind=f"{MODULE}:mapping",
            resource_id=row.id,
            before=before,
            after=after,
            tenant_id=tenant,
        )
        emit(ctx, uow, f"{MODULE}.mapping.saved", {"mappings": row.mappings}, tenant)
        return after


# --- import ---------------------------------------------------------------------------------------


class AkeneoImportInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    maxPages: int = PydanticField(default=20, ge=1, le=100)
    organizationId: uuid.UUID | None = None


class AkeneoImportRunView(BaseModel):
    id: str
    status: str
    created: int
    updated: int
    failed: int
    pages: int
    errors: list[dict[str, Any]]
    startedAt: str
    finishedAt: str | None = None


class AkeneoImportState(BaseModel):
    configured: bool
    status: str
    run: AkeneoImportRunView | None = None
    importedProducts: int


def _run_view(run: AkeneoImportRun) -> dict[str, Any]:
    return {
        "id": str(run.id),
        "status": run.status,
        "created": run.created,
        "updated": run.updated,
        "failed": run.failed,
        "pages": run.pages,
        "errors": run.errors,
        "startedAt": format_datetime(run.created_at),
        "finishedAt": format_datetime(run.finished_at) if run.finished_at else None,
    }


def _value(product: dict[str, Any], attribute: str, locale: str | None) -> Any:
    entries = (product.get("values") or {}).get(attribute)
    if not isinstance(entries, list) or not entries:
        return None
    chosen = next((e for e in entries if isinstance(e, dict) and e.get("locale") == locale), None)
    chosen = chosen or next((e for e in entries if isinstance(e, dict) and e.get("locale") is None), None)
    chosen = chosen or next((e for e in entries if isinstance(e, dict)), None)
    return chosen.get("data") if chosen else None


def product_values(
    product: dict[str, Any], mappings: list[dict[str, Any]], locale: str | None
) -> dict[str, Any]:
    """The catalog product fields an Akeneo product fills."""
    identifier = str(product.get("identifier") or "")
    values: dict[str, Any] = {"sku": identifier[:100], "is_active": bool(product.get("enabled", True))}
    metadata: dict[str, Any] = {"akeneo": {"identifier": identifier, "family": product.get("family")}}
    for mapping in mappings:
        data = _value(product, mapping["attribute"], locale)
        if data is None:
            continue
        target = mapping["target"]
        if target.startswith(METADATA):
            metadata[target.removeprefix(METADATA)] = data
        else:
            values[target] = str(data)
    values.setdefault("title", identifier)
    values["metadata_"] = metadata
    return values


@operation(
    "akeneo_import_state",
    MODULE,
    output=AkeneoImportState,
    kind="query",
    features=(CONFIGURE,),
    rest=Rest("GET", "/sync_akeneo/first-import"),
)
async def import_state(ctx: RequestContext) -> dict[str, Any]:
    """The last import run and how many imported products the tenant has."""
    client, _ = await akeneo(ctx)
    async with ctx.read_session() as session:
        run = await session.scalar(
            select(AkeneoImportRun)
            .where(AkeneoImportRun.tenant_id == ctx.tenant_id())
            .order_by(AkeneoImportRun.created_at.desc(), AkeneoImportRun.id)
            .limit(1)
        )
        linked = len(
            (
                await session.execute(
                    select(AkeneoProductLink.id).where(AkeneoProductLink.tenant_id == ctx.tenant_id())
                )
            )
            .scalars()
            .all()
        )
    return {
        "configured": client is not None,
        "status": run.status if run is not None else "never",
        "run": _run_view(run) if run is not None else None,
        "importedProducts": linked,
    }


async def _import_one(
    ctx: RequestContext, uow: Any, values: dict[str, Any], identifier: str, org: Any
) -> bool:
    """Create or update the product of ``identifier``; True when it was created."""
    link = await uow.session.scalar(
        select(AkeneoProductLink).where(
            AkeneoProductLink.tenant_id == ctx.tenant_id(), AkeneoProductLink.identifier == identifier
        )
    )
    products = service(PRODUCT)
    if link is not None:
        await products.update(ctx, values, id_=link.product_id)
        return False
    body = {**values, "organization_id": str(org)} if org is not None else values
    product, _ = await products.create(ctx, body)
    uow.session.add(
        AkeneoProductLink(
            tenant_id=product.tenant_id,
            organization_id=product.organization_id,
            identifier=identifier,
            product_id=product.id,
        )
    )
    await uow.session.flush()
    return True


@operation(
    "akeneo_first_import",
    MODULE,
    input=AkeneoImportInput,
    output=AkeneoImportRunView,
    features=(RUN,),
    transaction=False,
    rest=Rest("POST", "/sync_akeneo/first-import"),
)
async def first_import(ctx: RequestContext, data: AkeneoImportInput) -> dict[str, Any]:
    """Import the PIM's products (``_links.next`` pages, at most ``maxPages``) into the catalog."""
    client, reason = await akeneo(ctx)
    if client is None:
        raise Conflict(reason)
    row = await _mapping(ctx)
    mappings, locale = (row.mappings, row.locale) if row is not None else (DEFAULT_MAPPINGS, None)
    fetched: list[dict[str, Any]] = []
    pages = 0
    async for page in client.pages("products", data.maxPages):  # all read before anything is written
        fetched.extend(page)
        pages += 1
    async with ctx.unit_of_work(command=f"{MODULE}.first_import", about=f"{MODULE}:import_run") as uow:
        run = AkeneoImportRun(
            tenant_id=ctx.tenant_id(),
            organization_id=data.organizationId or ctx.require_auth().org_id,
            status=RUN_STATUS.initial,
            created=0,
            updated=0,
            failed=0,
            pages=pages,
            errors=[],
        )
        uow.session.add(run)
        await uow.session.flush()
        errors: list[dict[str, Any]] = []
        for product in fetched:
            identifier = str(product.get("identifier") or "").strip()
            if not identifier:
                run.failed += 1
                errors.append({"identifier": None, "error": "Product without an identifier"})
                continue
            try:
                async with uow.savepoint():
                    values = product_values(product, mappings, locale)
                    if await _import_one(ctx, uow, values, identifier, data.organizationId):
                        run.created += 1
                    else:
                        run.updated += 1
            except DomainError as exc:
                run.failed += 1
                errors.append({"identifier": identifier, "error": exc.message})
        run.errors = errors[:MAX_ERRORS]
        finished = "completed" if not run.failed else "completed_with_errors"
        RUN_STATUS.check(run.status, finished)
        run.status = finished
        run.finished_at = datetime.now(UTC)
        await uow.session.flush()
        await uow.session.refresh(run)
        view = _run_view(run)
        record_action(
            ctx,
            uow,
            command_id=f"{MODULE}.first_import",
            label="Akeneo import",
            resource_kind=f"{MODULE}:import_run",
            resource_id=run.id,
            before=None,
            after=view,
            tenant_id=run.tenant_id,
            organization_id=run.organization_id,
            secondary=True,
        )
        emit(ctx, uow, f"{MODULE}.import.finished", view, run.tenant_id, run.organization_id)
        return view


class AkeneoDeleteInput(BaseModel):
    """Delete the catalog products imported from these Akeneo identifiers (none given: all of them)."""

    model_config = ConfigDict(extra="ignore")
    identifiers: list[text(255)] | None = PydanticField(default=None, max_length=500)


class AkeneoDeleted(BaseModel):
    ok: bool
    deleted: int
    identifiers: list[str]


@operation(
    "akeneo_delete_products",
    MODULE,
    input=AkeneoDeleteInput,
    output=AkeneoDeleted,
    features=(CONFIGURE,),
    rest=Rest("POST", "/sync_akeneo/delete-products"),
)
async def delete_products(ctx: RequestContext, data: AkeneoDeleteInput) -> dict[str, Any]:
    """Delete imported products through the catalog (one command: an unknown identifier is a 404 and
    nothing is deleted)."""
    query = select(AkeneoProductLink).where(AkeneoProductLink.tenant_id == ctx.tenant_id())
    if data.identifiers is not None:
        query = query.where(AkeneoProductLink.identifier.in_(data.identifiers))
    async with ctx.unit_of_work() as uow:
        links = list((await uow.session.execute(query.with_for_update())).scalars())
        if data.identifiers is not None:
            missing = sorted(set(data.identifiers) - {link.identifier for link in links})
            if missing:
                raise NotFound(f"Not imported: {', '.join(missing[:10])}")
        for link in links:
            with suppress(NotFound):  # already deleted in the catalog: only the link is left to drop
                await service(PRODUCT).delete(ctx, link.product_id)
            await uow.session.delete(link)
        await uow.session.flush()
    return {"ok": True, "deleted": len(links), "identifiers": sorted(link.identifier for link in links)}

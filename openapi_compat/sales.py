"""REST routes of the sales module: the collection CRUD of its entities. Lines, adjustments and
payments answer their updates and deletes in their documented shapes (the parent's id, the order's
totals); everything else is declared in ``resolvers.sales`` and mounted by
``openapi_compat.operations``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openapi_compat.crud import crud_routes
from openapi_compat.routing import RestRequest, route
from resolvers.crud import service
from resolvers.entity import Entity
from resolvers.sales import configuration as conf
from resolvers.sales.common import ORDER, QUOTE, load_document
from resolvers.sales.documents import ORDER_ENTITY, QUOTE_ENTITY
from resolvers.sales.fulfillment import PAYMENT, RETURN, SHIPMENT, order_totals
from resolvers.sales.lines import ORDER_ADJUSTMENT, ORDER_LINE, QUOTE_ADJUSTMENT, QUOTE_LINE
from resolvers.sales.records import ADDRESS, NOTE
from resolvers.scope import parse_uuid

Reply = Callable[[RestRequest, Any], Any]

for _entity in (
    conf.CHANNEL, conf.ORDER_STATUS, conf.ORDER_LINE_STATUS, conf.PAYMENT_STATUS, conf.SHIPMENT_STATUS,
    conf.ADJUSTMENT_KIND, conf.PAYMENT_METHOD, conf.SHIPPING_METHOD, conf.DELIVERY_WINDOW, conf.TAX_RATE,
    conf.PRICE_KIND, conf.TAG, QUOTE_ENTITY, ORDER_ENTITY, SHIPMENT, RETURN, NOTE, ADDRESS,
):  # fmt: skip
    crud_routes(_entity)


def shaped_routes(entity: Entity, update_reply: Reply, delete_reply: Reply) -> None:
    """List and create as usual; update and delete answering ``reply(request, row)``."""
    assert entity.path
    crud_routes(entity, ("GET", "POST"))
    svc = service(entity)

    @route("PUT", entity.path, entity=entity, features=entity.features.update, enforce=False)
    async def update_item(request: RestRequest) -> Any:
        obj = await svc.update(request.ctx, await request.json_object())
        return await update_reply(request, obj)

    @route("DELETE", entity.path, entity=entity, features=entity.features.delete, enforce=False)
    async def delete_item(request: RestRequest) -> Any:
        ident = await request.id_param()
        obj = None
        if parse_uuid(ident) is not None:
            request.ctx.require_features(entity.features.delete)
            async with request.ctx.read_session() as session:
                obj = await svc.fetch(request.ctx, session, ident)
        await svc.delete(request.ctx, ident)
        return await delete_reply(request, obj)


def parent_reply(fk: str, key: str) -> Reply:
    async def reply(_request: RestRequest, obj: Any) -> Any:
        return {"id": str(obj.id), key: str(getattr(obj, fk))}

    return reply


async def deleted(_request: RestRequest, _obj: Any) -> Any:
    return {"ok": True}


async def payment_reply(request: RestRequest, obj: Any) -> Any:
    totals = None
    if obj is not None and obj.order_id is not None:
        async with request.ctx.read_session() as session:
            totals = order_totals(await load_document(request.ctx, session, ORDER, obj.order_id))
    return {"id": str(obj.id) if obj is not None else None, "orderTotals": totals}


for _kind, _line, _adj in ((QUOTE, QUOTE_LINE, QUOTE_ADJUSTMENT), (ORDER, ORDER_LINE, ORDER_ADJUSTMENT)):
    shaped_routes(_line, parent_reply(_kind.fk, _kind.key()), deleted)
    shaped_routes(_adj, parent_reply(_kind.fk, _kind.key()), deleted)
shaped_routes(PAYMENT, payment_reply, payment_reply)

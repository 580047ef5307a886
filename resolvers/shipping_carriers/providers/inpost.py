"""InPost ShipX (the Polish parcel-locker and courier network) over its REST API: a bearer token
and an organization id, JSON both ways, base URL ``INPOST_API_URL``.

- ``POST /v1/organizations/{org}/shipments/calculate`` ``{"shipments": [{id, receiver, parcels,
  service, custom_attributes}]}`` → ``[{id, calculated_charge_amount, currency?}]`` (rates);
- ``POST /v1/organizations/{org}/shipments`` → the shipment ``{id, status, tracking_number,
  calculated_charge_amount | selected_offer.rate}``; ``GET /v1/shipments/{id}``;
  ``DELETE /v1/shipments/{id}`` (204; only before it is dispatched);
- ``GET /v1/tracking/{number}`` → ``{status, tracking_details: [{status, datetime}]}``;
- ``GET /v1/points?name=&city=&post_code=&type=&relative_point=`` → ``{items: [...]}``;
- webhooks ``{"event": "shipment_status_changed", "payload": {shipment_id, status, tracking_number}}``.

Numbers are read exactly (JSON numbers as ``Decimal``) and written as strings, as ShipX examples do.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar
from urllib.parse import quote

import aiohttp

from crmgraph.config import Settings
from crmgraph.errors import ValidationFailed, issue
from resolvers.shipping_carriers.providers.base import (
    BookedShipment,
    Point,
    ProviderError,
    ProviderRejected,
    Rate,
    ShipmentRequest,
    Tracking,
    TrackingEvent,
    WebhookUpdate,
)

TIMEOUT = 15.0
SERVICES = {
    "inpost_locker_standard": "Paczkomat® InPost",
    "inpost_courier_standard": "Kurier InPost",
    "inpost_courier_express_1200": "Kurier InPost Express 12:00",
}
STATUS_MAP = {
    "created": "created",
    "offers_prepared": "created",
    "offer_selected": "created",
    "confirmed": "confirmed",
    "dispatched_by_sender": "in_transit",
    "collected_from_sender": "in_transit",
    "taken_by_courier": "in_transit",
    "adopted_at_source_branch": "in_transit",
    "sent_from_source_branch": "in_transit",
    "adopted_at_sorting_center": "in_transit",
    "sent_from_sorting_center": "in_transit",
    "adopted_at_target_branch": "in_transit",
    "out_for_delivery": "out_for_delivery",
    "ready_to_pickup": "ready_for_pickup",
    "pickup_reminder_sent": "ready_for_pickup",
    "delivered": "delivered",
    "avizo": "failed",
    "undelivered": "failed",
    "rejected_by_receiver": "failed",
    "returned_to_sender": "returned",
    "canceled": "cancelled",
    "cancelled": "cancelled",
}
PARCEL_TEMPLATES = ("small", "medium", "large", "xlarge")


def status_of(raw: Any) -> str | None:
    return STATUS_MAP.get(raw) if isinstance(raw, str) else None


def exact(raw: Any) -> Decimal | None:
    if raw is None:
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise ProviderError("InPost: unexpected answer") from None
    if not value.is_finite() or abs(value) >= Decimal("1e10"):
        raise ProviderError("InPost: unexpected answer")
    return value.quantize(Decimal("0.01"))


def moment(raw: Any) -> datetime | None:
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00")) if isinstance(raw, str) else None
    except ValueError:
        return None
    return value if value is not None and value.tzinfo else None


def _text(value: Any, limit: int = 200) -> str | None:
    return str(value)[:limit] if isinstance(value, str | int) and not isinstance(value, bool) else None


def party(data: dict[str, Any]) -> dict[str, Any]:
    """A receiver/sender in ShipX's shape."""
    address = {
        "street": data.get("street"),
        "building_number": data.get("buildingNumber"),
        "city": data.get("city"),
        "post_code": data.get("postCode"),
        "country_code": data.get("countryCode") or "PL",
    }
    out = {
        "name": data.get("name"),
        "company_name": data.get("companyName"),
        "first_name": data.get("firstName"),
        "last_name": data.get("lastName"),
        "email": data.get("email"),
        "phone": data.get("phone"),
    }
    if data.get("street") or data.get("city"):
        out["address"] = address
    return {k: v for k, v in out.items() if v is not None}


def parcel(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("template"):
        return {"template": data["template"]}
    out: dict[str, Any] = {}
    if all(data.get(k) is not None for k in ("length", "width", "height")):
        out["dimensions"] = {k: str(data[k]) for k in ("length", "width", "height")} | {"unit": "mm"}
    if data.get("weight") is not None:
        out["weight"] = {"amount": str(data["weight"]), "unit": "kg"}
    return out


class InpostProvider:
    key: ClassVar[str] = "inpost"
    label: ClassVar[str] = "InPost"

    def __init__(self, base_url: str, token: str, organization_id: str, timeout: float = TIMEOUT) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.organization_id = organization_id
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    @classmethod
    def from_settings(cls, settings: Settings) -> InpostProvider:
        return cls(settings.inpost_api_url, settings.inpost_api_token, settings.inpost_organization_id)

    def configured(self) -> bool:
        return bool(self.token and self.organization_id)

    def services(self) -> list[str]:
        return list(SERVICES)

    async def call(
        self, method: str, path: str, *, body: Any = None, params: dict[str, str] | None = None
    ) -> Any:
        """One API call: the JSON answer (``None`` for 204/404); refusals and failures raised."""
        if not self.configured():
            raise ProviderRejected("InPost is not configured (INPOST_API_TOKEN, INPOST_ORGANIZATION_ID)")
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        try:
            async with (
                aiohttp.ClientSession(timeout=self.timeout) as http,
                http.request(
                    method, f"{self.base_url}{path}", json=body, params=params, headers=headers
                ) as response,
            ):
                text = await response.text()
                status = response.status
        except (TimeoutError, aiohttp.ClientError, UnicodeDecodeError):
            raise ProviderError("InPost: the carrier could not be reached") from None
        if status in (204, 404):
            return None
        if status in (401, 403):
            raise ProviderError("InPost: the API token was refused")
        try:
            answer = json.loads(text, parse_float=Decimal) if text.strip() else None
        except ValueError:
            raise ProviderError(f"InPost: unexpected answer ({status})") from None
        if 400 <= status < 500:
            message = answer.get("message") if isinstance(answer, dict) else None
            raise ProviderRejected(f"InPost refused the request: {_text(message, 300) or status}")
        if status >= 300:
            raise ProviderError(f"InPost: the carrier answered {status}")
        return answer

    def _service(self, service: str) -> str:
        if service not in SERVICES:
            raise ValidationFailed([issue("service", f"One of {', '.join(SERVICES)}", "invalid_enum_value")])
        return service

    def _shipment_body(self, request: ShipmentRequest, service: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "receiver": party(request.receiver),
            "parcels": [parcel(p) for p in request.parcels],
            "service": service,
        }
        if request.sender:
            body["sender"] = party(request.sender)
        if request.target_point:
            body["custom_attributes"] = {"target_point": request.target_point}
        if request.reference:
            body["reference"] = request.reference
        return body

    async def rates(self, request: ShipmentRequest) -> list[Rate]:
        wanted = [self._service(request.service)] if request.service else list(SERVICES)
        if not request.target_point:  # a locker service needs a target point to be priced
            wanted = [s for s in wanted if "locker" not in s] or wanted
        body = {"shipments": [{"id": s, **self._shipment_body(request, s)} for s in wanted]}
        answer = await self.call(
            "POST", f"/v1/organizations/{quote(self.organization_id)}/shipments/calculate", body=body
        )
        if not isinstance(answer, list):
            raise ProviderError("InPost: unexpected answer")
        rates = []
        for row in answer:
            if not isinstance(row, dict) or row.get("id") not in SERVICES:
                raise ProviderError("InPost: unexpected answer")
            amount = exact(row.get("calculated_charge_amount"))
            if amount is not None:
                currency = _text(row.get("currency"), 3) or "PLN"
                rates.append(Rate(row["id"], SERVICES[row["id"]], amount, currency))
        return rates

    def _booked(self, answer: Any) -> BookedShipment:
        if not isinstance(answer, dict) or _text(answer.get("id"), 100) is None:
            raise ProviderError("InPost: unexpected answer")
        offer = answer.get("selected_offer") if isinstance(answer.get("selected_offer"), dict) else {}
        cost = exact(answer.get("calculated_charge_amount"))
        if cost is None:
            cost = exact(offer.get("rate"))
        raw_status = _text(answer.get("status"), 100)
        return BookedShipment(
            external_id=_text(answer["id"], 100),
            status=status_of(raw_status) or "created",
            provider_status=raw_status,
            tracking_number=_text(answer.get("tracking_number"), 100),
            cost_amount=cost,
            currency_code=_text(offer.get("currency"), 3) or ("PLN" if cost is not None else None),
        )

    async def create_shipment(self, request: ShipmentRequest) -> BookedShipment:
        body = self._shipment_body(request, self._service(request.service))
        path = f"/v1/organizations/{quote(self.organization_id)}/shipments"
        return self._booked(await self.call("POST", path, body=body))

    async def get_shipment(self, external_id: str) -> BookedShipment | None:
        answer = await self.call("GET", f"/v1/shipments/{quote(external_id)}")
        return None if answer is None else self._booked(answer)

    async def track(self, tracking_number: str) -> Tracking:
        answer = await self.call("GET", f"/v1/tracking/{quote(tracking_number)}")
        if answer is None:
            return Tracking(tracking_number, None, None, [])
        if not isinstance(answer, dict):
            raise ProviderError("InPost: unexpected answer")
        details = answer.get("tracking_details") if isinstance(answer.get("tracking_details"), list) else []
        events = [
            TrackingEvent(
                status=status_of(d.get("status")) or "in_transit",
                provider_status=_text(d.get("status"), 100),
                occurred_at=moment(d.get("datetime")),
                description=_text(d.get("origin_status"), 200),
            )
            for d in details
            if isinstance(d, dict)
        ]
        raw = _text(answer.get("status"), 100)
        return Tracking(tracking_number, status_of(raw), raw, events)

    async def cancel(self, external_id: str) -> None:
        await self.call("DELETE", f"/v1/shipments/{quote(external_id)}")

    async def points(self, query: dict[str, str]) -> list[Point]:
        params = {k: v for k, v in query.items() if v}
        answer = await self.call("GET", "/v1/points", params=params)
        items = answer.get("items") if isinstance(answer, dict) else None
        if not isinstance(items, list):
            return []
        points = []
        for item in items:
            if not isinstance(item, dict) or _text(item.get("name")) is None:
                continue
            location = item.get("location") if isinstance(item.get("location"), dict) else {}
            address = item.get("address") if isinstance(item.get("address"), dict) else {}
            details = item.get("address_details") if isinstance(item.get("address_details"), dict) else {}
            kinds = item.get("type")
            lines = [_text(address.get("line1")), _text(address.get("line2"))]
            points.append(
                Point(
                    name=_text(item["name"]),
                    type=_text(kinds[0]) if isinstance(kinds, list) and kinds else _text(kinds),
                    status=_text(item.get("status")),
                    address=", ".join(x for x in lines if x) or None,
                    city=_text(details.get("city")),
                    post_code=_text(details.get("post_code"), 10),
                    latitude=_coordinate(location.get("latitude")),
                    longitude=_coordinate(location.get("longitude")),
                    description=_text(item.get("location_description"), 500),
                )
            )
        return points

    def webhook_update(self, body: dict[str, Any]) -> WebhookUpdate:
        payload = body.get("payload") if isinstance(body.get("payload"), dict) else {}
        raw = _text(payload.get("status"), 100)
        return WebhookUpdate(
            external_id=_text(payload.get("shipment_id"), 100),
            tracking_number=_text(payload.get("tracking_number"), 100),
            status=status_of(raw),
            provider_status=raw,
            event_type=_text(body.get("event"), 100),
            event_key=None,  # ShipX events carry no id: the body's digest identifies them
            occurred_at=moment(body.get("event_ts")),
        )


def _coordinate(raw: Any) -> Decimal | None:
    try:
        value = Decimal(str(raw)) if raw is not None else None
    except InvalidOperation:
        return None
    return value if value is not None and value.is_finite() and abs(value) <= 180 else None

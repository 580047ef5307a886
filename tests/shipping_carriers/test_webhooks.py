"""Provider webhooks: HMAC-verified over the raw body, applied once per event (a replay, even a
concurrent one, changes nothing), out-of-order statuses recorded but not applied."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlalchemy import func, select

from models.shipping_carriers import CarrierShipmentEvent
from resolvers.shipping_carriers.webhooks import sign
from tests.shipping_carriers.conftest import LOCKER, SECRET

BASE = "/api/shipping-carriers"


async def post_event(
    client: Any, provider: str, body: Any, secret: str = SECRET, **headers: str
) -> tuple[int, Any]:
    raw = json.dumps(body).encode()
    signature = headers.pop("signature", None) or "sha256=" + sign(secret, raw)
    response = await client.post(
        f"{BASE}/webhook/{provider}",
        data=raw,
        headers={"X-Signature": signature, "Content-Type": "application/json"},
    )
    return response.status, await response.json(content_type=None)


def shipx_event(shipment_id: str, status: str, ts: str = "2026-03-04T09:00:00.000+01:00") -> dict[str, Any]:
    return {
        "event_ts": ts,
        "event": "shipment_status_changed",
        "organization_id": 4242,
        "payload": {"shipment_id": int(shipment_id), "status": status, "tracking_number": "6800000000001"},
    }


async def events_of(sessionmaker: Any, shipment_id: str) -> int:
    """How many carrier events the shipment recorded (its booking aside)."""
    async with sessionmaker() as session:
        return await session.scalar(
            select(func.count())
            .select_from(CarrierShipmentEvent)
            .where(
                CarrierShipmentEvent.shipment_id == shipment_id, CarrierShipmentEvent.event_type != "booked"
            )
        )


async def test_the_same_event_twice_changes_the_shipment_once(shipx, shipper, sessionmaker):
    fake, client = shipx
    shipment = (await shipper.post(f"{BASE}/shipments", LOCKER))[1]["shipment"]
    delivered = shipx_event(shipment["externalId"], "delivered")

    status, first = await post_event(client, "inpost", delivered)
    assert status == 200 and first == {
        "ok": True,
        "duplicate": False,
        "applied": True,
        "shipmentId": shipment["id"],
        "status": "delivered",
    }
    status, again = await post_event(client, "inpost", delivered)
    assert status == 200 and again["duplicate"] is True and again["applied"] is False
    assert await events_of(sessionmaker, shipment["id"]) == 1

    query = """query($id: UUID!) { carrierShipment(id: $id) {
      status providerStatus trackingNumber lastEventAt events { eventType status shipment { id } } } }"""
    row = (await shipper.gql(query, {"id": shipment["id"]}))["data"]["carrierShipment"]
    events = sorted(row.pop("events"), key=lambda e: e["eventType"])  # edges are ordered by id
    assert row == {
        "status": "delivered",
        "providerStatus": "delivered",
        "trackingNumber": "6800000000001",
        "lastEventAt": "2026-03-04T08:00:00.000Z",
    }
    assert events == [
        {"eventType": "booked", "status": "created", "shipment": {"id": shipment["id"]}},
        {"eventType": "shipment_status_changed", "status": "delivered", "shipment": {"id": shipment["id"]}},
    ]
    # One change: one domain event for it, however many deliveries.
    audit = (await shipper.get("/api/audit_logs/audit-logs/actions", params={"resourceId": shipment["id"]}))[
        1
    ]
    webhook_entries = [
        a for a in audit["items"] if a.get("commandId") == "shipping_carriers.carrier_shipment.update"
    ]
    assert len(webhook_entries) == 1, audit

    # Out of order: a transit event after delivery is recorded, not applied; cancelling is refused.
    status, late = await post_event(client, "inpost", shipx_event(shipment["externalId"], "taken_by_courier"))
    assert status == 200 and late["applied"] is False and late["status"] == "delivered"
    assert await events_of(sessionmaker, shipment["id"]) == 2
    calls = len(fake.requests)
    status, body = await shipper.post(f"{BASE}/cancel", {"shipmentId": shipment["id"]})
    assert status == 409 and body["code"] == "invalid_transition", body
    assert len(fake.requests) == calls  # the carrier was not asked


async def test_concurrent_replays_apply_once(shipx, shipper, sessionmaker):
    _, client = shipx
    shipment = (await shipper.post(f"{BASE}/shipments", LOCKER))[1]["shipment"]
    event = shipx_event(shipment["externalId"], "out_for_delivery")
    replies = await asyncio.gather(*(post_event(client, "inpost", event) for _ in range(5)))
    assert [s for s, _ in replies] == [200] * 5
    assert sum(r["applied"] for _, r in replies) == 1 and sum(r["duplicate"] for _, r in replies) == 4
    assert await events_of(sessionmaker, shipment["id"]) == 1


async def test_manual_provider_events_by_id(shipx, shipper):
    _, client = shipx
    body = {"provider": "manual", "service": "pickup", "receiver": {"name": "Jan"}, "parcels": [{}]}
    shipment = (await shipper.post(f"{BASE}/shipments", body))[1]["shipment"]
    event = {"eventId": "evt-1", "shipmentId": shipment["externalId"], "status": "ready_for_pickup"}
    assert (await post_event(client, "manual", event))[1]["applied"] is True
    # The same event id with another body is still the same event.
    status, again = await post_event(client, "manual", {**event, "status": "delivered"})
    assert status == 200 and again["duplicate"] is True
    assert (await post_event(client, "manual", {**event, "eventId": "evt-2", "status": "delivered"}))[1][
        "status"
    ] == "delivered"
    status, body = await post_event(client, "manual", {**event, "eventId": "evt-3", "status": "lost"})
    assert status == 400 and body["details"][0]["path"] == ["status"]


async def test_signatures_and_bad_calls(shipx, shipper):
    _, client = shipx
    shipment = (await shipper.post(f"{BASE}/shipments", LOCKER))[1]["shipment"]
    event = shipx_event(shipment["externalId"], "delivered")
    assert (await post_event(client, "inpost", event, secret="wrong"))[0] == 401
    assert (await post_event(client, "inpost", event, signature="sha256=" + "0" * 64))[0] == 401
    raw = json.dumps(event).encode()
    response = await client.post(f"{BASE}/webhook/inpost", data=raw)  # unsigned
    assert response.status == 401 and await response.json() == {"error": "Invalid signature"}
    # A body altered after signing fails too.
    signature = "sha256=" + sign(SECRET, raw)
    tampered = raw.replace(b"delivered", b"cancelled")
    response = await client.post(f"{BASE}/webhook/inpost", data=tampered, headers={"X-Signature": signature})
    assert response.status == 401
    assert (await post_event(client, "nope", event))[0] == 404
    assert (await post_event(client, "inpost", shipx_event("999999", "delivered")))[0] == 404
    assert (await post_event(client, "inpost", {"payload": {}}))[0] == 400
    assert (await post_event(client, "inpost", ["not", "an", "object"]))[0] == 400
    query = "query($id: UUID!) { carrierShipment(id: $id) { status } }"
    assert (await shipper.gql(query, {"id": shipment["id"]}))["data"]["carrierShipment"][
        "status"
    ] == "created"

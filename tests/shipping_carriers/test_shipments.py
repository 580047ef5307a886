"""Carrier operations against the local ShipX server: rates, booking, tracking, cancelling, points;
the manual provider; failures that store nothing; features and isolation over REST and GraphQL."""

from __future__ import annotations

import uuid

from tests.dictionaries.conftest import in_org
from tests.shipping_carriers.conftest import LOCKER, RECEIVER, TRACKING

BASE = "/api/shipping-carriers"


async def test_providers_and_rates(shipx, shipper):
    fake, _ = shipx
    status, body = await shipper.get(f"{BASE}/providers")
    assert status == 200 and [p["key"] for p in body["items"]] == ["manual", "inpost"]
    assert all(p["configured"] for p in body["items"])

    status, body = await shipper.post(f"{BASE}/rates", {**LOCKER, "service": None})
    assert status == 200, body
    assert body == {
        "provider": "inpost",
        "rates": [
            {
                "service": "inpost_locker_standard",
                "label": "Paczkomat® InPost",
                "amount": "13.99",
                "currencyCode": "PLN",
            },
            {
                "service": "inpost_courier_standard",
                "label": "Kurier InPost",
                "amount": "18.49",
                "currencyCode": "PLN",
            },
            {
                "service": "inpost_courier_express_1200",
                "label": "Kurier InPost Express 12:00",
                "amount": "25.10",
                "currencyCode": "PLN",
            },
        ],
    }
    method, path, sent = fake.requests[-1]
    assert (method, path) == ("POST", "/v1/organizations/4242/shipments/calculate")
    assert sent["shipments"][0]["custom_attributes"] == {"target_point": "KRA010"}
    assert sent["shipments"][0]["receiver"]["address"]["post_code"] == "31-042"

    # The manual provider prices from its table: 15.00 per parcel up to 5 kg, 1.50 per started kg above.
    body = {"provider": "manual", "service": "standard", "parcels": [{"weight": "7.2"}, {"weight": "1"}]}
    status, reply = await shipper.post(f"{BASE}/rates", body)
    assert status == 200 and reply["rates"] == [
        {"service": "standard", "label": "Standard delivery", "amount": "34.50", "currencyCode": "PLN"}
    ]
    for bad in (
        {"provider": "dhl"},
        {"provider": "manual", "service": "teleport"},
        {"parcels": []},
        {"parcels": [{"weight": "-1"}]},
    ):
        status, reply = await shipper.post(f"{BASE}/rates", bad)
        assert status == 400 and reply["details"], (bad, reply)


async def test_create_track_and_cancel_with_inpost(shipx, shipper):
    fake, _ = shipx
    status, body = await shipper.post(f"{BASE}/shipments", LOCKER)
    assert status == 201, body
    shipment = body["shipment"]
    assert shipment["provider"] == "inpost" and shipment["externalId"] == str(fake.next_id)
    assert (shipment["status"], shipment["costAmount"], shipment["currencyCode"]) == (
        "created",
        "13.99",
        "PLN",
    )
    assert shipment["trackingNumber"] is None and shipment["targetPoint"] == "KRA010"
    method, path, sent = fake.requests[-1]
    assert (method, path) == ("POST", "/v1/organizations/4242/shipments")
    assert sent["receiver"]["first_name"] == "Jan" and sent["parcels"] == [{"template": "small"}]
    assert sent["reference"] == "ORDER-1" and sent["service"] == "inpost_locker_standard"

    # Not yet numbered when booked: tracking asks the carrier for the shipment, then its tracking.
    status, track = await shipper.get(f"{BASE}/tracking", params={"shipmentId": shipment["id"]})
    assert status == 200, track
    assert track["trackingNumber"] == TRACKING and track["status"] == "out_for_delivery"
    assert [e["providerStatus"] for e in track["events"]] == ["out_for_delivery", "confirmed"]
    assert track["events"][0]["occurredAt"] == "2026-03-03T07:15:00.000Z"
    assert [r[:2] for r in fake.requests[-2:]] == [
        ("GET", f"/v1/shipments/{shipment['externalId']}"),
        ("GET", f"/v1/tracking/{TRACKING}"),
    ]

    status, body = await shipper.post(f"{BASE}/cancel", {"shipmentId": shipment["id"]})
    assert status == 200, body
    assert body["shipment"]["status"] == "cancelled" and body["shipment"]["cancelledAt"]
    assert fake.requests[-1][:2] == ("DELETE", f"/v1/shipments/{shipment['externalId']}")
    calls = len(fake.requests)
    assert (await shipper.post(f"{BASE}/cancel", {"shipmentId": shipment["id"]}))[
        0
    ] == 200  # already cancelled
    assert len(fake.requests) == calls

    status, points = await shipper.get(f"{BASE}/points", params={"city": "Kraków", "type": "parcel_locker"})
    assert status == 200 and points["items"][0]["name"] == "KRA010"
    assert (points["items"][0]["latitude"], points["items"][0]["postCode"]) == ("50.06143", "31-042")
    assert fake.requests[-1][1].startswith("/v1/points?") and "city=Krak" in fake.requests[-1][1]


async def test_carrier_failures_store_nothing(shipx, shipper):
    fake, _ = shipx
    before = (await shipper.gql("{ carrierShipments { total } }"))["data"]["carrierShipments"]["total"]
    for mode, expected in (("refuse", 409), ("down", 502)):
        fake.mode = mode
        try:
            status, body = await shipper.post(f"{BASE}/shipments", LOCKER)
        finally:
            fake.mode = "ok"
        assert status == expected and "error" in body, body
    assert "receiver.phone is invalid" in (await _refused(fake, shipper))
    after = (await shipper.gql("{ carrierShipments { total } }"))["data"]["carrierShipments"]["total"]
    assert after == before


async def _refused(fake, shipper) -> str:
    fake.mode = "refuse"
    try:
        return (await shipper.post(f"{BASE}/rates", LOCKER))[1]["error"]
    finally:
        fake.mode = "ok"


async def test_manual_shipments_features_and_isolation(shipx, sworld, shipper, watcher, outsider):
    _, client = shipx
    body = {"provider": "manual", "service": "express", "receiver": RECEIVER, "parcels": [{"weight": "2"}]}
    status, reply = await shipper.post(f"{BASE}/shipments", body)
    assert status == 201 and reply["shipment"]["costAmount"] == "25.00"
    root = reply["shipment"]
    # The viewer works in a branch: the root organization's shipment is not its to see.
    assert (await watcher.get(f"{BASE}/tracking", params={"shipmentId": root["id"]}))[0] == 404

    branch = in_org(shipper, sworld.branch_org)
    status, reply = await branch.post(f"{BASE}/shipments", body)
    assert status == 201 and reply["shipment"]["organizationId"] == str(sworld.branch_org)
    mine = reply["shipment"]
    assert mine["trackingNumber"].startswith("MAN") and mine["status"] == "created"

    # A viewer tracks but does not book or cancel.
    status, track = await watcher.get(f"{BASE}/tracking", params={"trackingNumber": mine["trackingNumber"]})
    assert status == 200 and track["status"] == "created" and track["shipmentId"] == mine["id"]
    status, err = await watcher.post(f"{BASE}/cancel", {"shipmentId": mine["id"]})
    assert status == 403 and err == {"error": "Forbidden", "requiredFeatures": ["shipping_carriers.manage"]}
    assert (await watcher.get(f"{BASE}/providers"))[0] == 403
    assert (await client.get(f"{BASE}/tracking", params={"shipmentId": mine["id"]})).status == 401

    # Another tenant: 404 for the ids and numbers, nothing listed.
    assert (await outsider.get(f"{BASE}/tracking", params={"shipmentId": mine["id"]}))[0] == 404
    assert (await outsider.get(f"{BASE}/tracking", params={"trackingNumber": mine["trackingNumber"]}))[
        0
    ] == 404
    assert (await outsider.post(f"{BASE}/cancel", {"shipmentId": mine["id"]}))[0] == 404
    assert (await shipper.post(f"{BASE}/cancel", {"shipmentId": str(uuid.uuid4())}))[0] == 404
    query = "query($id: UUID!) { carrierShipment(id: $id) { id status } carrierShipments(pageSize: 100) { items { id } } }"
    theirs = await outsider.gql(query, {"id": mine["id"]})
    assert (theirs.get("data") or {}).get("carrierShipment") is None and mine["id"] not in str(theirs)
    ours = await shipper.gql(query, {"id": mine["id"]})
    assert ours["data"]["carrierShipment"] == {"id": mine["id"], "status": "created"}
    assert mine["id"] in str(ours["data"]["carrierShipments"])
    # GraphQL mutations are the same operations (features, scope).
    cancel = "mutation($id: String!) { cancelCarrierShipment(shipmentId: $id) { id status } }"
    reply = await outsider.gql(cancel, {"id": mine["id"]})
    assert reply["errors"][0]["message"] == "Shipment not found" and not reply.get("data")
    assert (await watcher.gql(cancel, {"id": mine["id"]}))["errors"][0]["message"] == "Forbidden"
    reply = await shipper.gql(cancel, {"id": mine["id"]})
    assert reply["data"]["cancelCarrierShipment"] == {"id": mine["id"], "status": "cancelled"}, reply

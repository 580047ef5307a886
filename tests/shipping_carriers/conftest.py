"""Fixtures of the shipping carriers tests: a local server speaking InPost ShipX (bearer token, JSON)
on 127.0.0.1, an app whose InPost settings and webhook secret point at it, and one tenant per module
(an admin, a reader with ``shipping_carriers.view``) plus another tenant's admin."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.conftest import Api, app_beside, login
from tests.factories import World, make_world

TOKEN = "shipx-test-token"
ORG = "4242"
SECRET = "whsec-test-secret"
TRACKING = "602677439331630337653846"


class FakeShipX:
    """Answers like the ShipX API; ``mode`` switches on failures, ``requests`` records the calls."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests: list[tuple[str, str, Any]] = []
        self.shipments: dict[str, dict[str, Any]] = {}
        self.next_id = 1000
        app = web.Application(middlewares=[self.bearer])
        app.router.add_post("/v1/organizations/{org}/shipments/calculate", self.calculate)
        app.router.add_post("/v1/organizations/{org}/shipments", self.create)
        app.router.add_get("/v1/shipments/{id}", self.read)
        app.router.add_delete("/v1/shipments/{id}", self.cancel)
        app.router.add_get("/v1/tracking/{number}", self.tracking)
        app.router.add_get("/v1/points", self.points)
        self.app = app

    @web.middleware
    async def bearer(self, request: web.Request, handler: Any) -> web.StreamResponse:
        body = await request.json() if request.can_read_body else None
        self.requests.append((request.method, request.path_qs, body))
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"status": 401, "error": "token_invalid"}, status=401)
        if "org" in request.match_info and request.match_info["org"] != ORG:
            return web.json_response({"status": 403, "error": "access_forbidden"}, status=403)
        if self.mode == "down":
            return web.Response(status=503, text="maintenance")
        if self.mode == "refuse":
            return web.json_response(
                {"status": 400, "error": "validation_failed", "message": "receiver.phone is invalid"},
                status=400,
            )
        return await handler(request)

    @staticmethod
    def literal(body: str, status: int = 200) -> web.Response:
        """JSON written with number literals as the carrier writes them (no float round trip)."""
        return web.Response(text=body, status=status, content_type="application/json")

    async def calculate(self, request: web.Request) -> web.Response:
        shipments = (await request.json())["shipments"]
        prices = {"inpost_locker_standard": "13.99", "inpost_courier_standard": "18.49"}
        rows = [
            f'{{"id": "{s["id"]}", "calculated_charge_amount": {prices.get(s["id"], "25.10")}}}'
            for s in shipments
        ]
        return self.literal("[" + ",".join(rows) + "]")

    async def create(self, request: web.Request) -> web.Response:
        self.next_id += 1
        ident = str(self.next_id)
        self.shipments[ident] = {"status": "created", "tracking_number": None}
        return self.literal(
            f'{{"id": {ident}, "status": "created", "tracking_number": null, "service": "{(await request.json())["service"]}",'
            ' "calculated_charge_amount": 13.99, "selected_offer": {"rate": 13.99, "currency": "PLN"}}',
            201,
        )

    async def read(self, request: web.Request) -> web.Response:
        found = self.shipments.get(request.match_info["id"])
        if found is None:
            return web.json_response({"status": 404, "error": "resource_not_found"}, status=404)
        found.update(status="confirmed", tracking_number=TRACKING)
        return web.json_response({"id": int(request.match_info["id"]), **found})

    async def cancel(self, request: web.Request) -> web.Response:
        found = self.shipments.get(request.match_info["id"])
        if found is None or found["status"] not in ("created", "confirmed"):
            body = {"status": 400, "error": "invalid_action", "message": "Shipment cannot be cancelled"}
            return web.json_response(body, status=400)
        found["status"] = "canceled"
        return web.Response(status=204)

    async def tracking(self, request: web.Request) -> web.Response:
        details = [
            {
                "status": "out_for_delivery",
                "origin_status": "PWK",
                "datetime": "2026-03-03T08:15:00.000+01:00",
            },
            {"status": "confirmed", "origin_status": "PPN", "datetime": "2026-03-02T10:00:00.000+01:00"},
        ]
        body = {
            "tracking_number": request.match_info["number"],
            "status": "out_for_delivery",
            "tracking_details": details,
        }
        return web.Response(text=json.dumps(body), content_type="application/json")

    async def points(self, request: web.Request) -> web.Response:
        point = (
            '{"name": "KRA010", "type": ["parcel_locker"], "status": "Operating",'
            ' "location": {"latitude": 50.06143, "longitude": 19.93658},'
            ' "location_description": "Przy sklepie", "address": {"line1": "Rynek Główny 1", "line2": "31-042 Kraków"},'
            ' "address_details": {"city": "Kraków", "post_code": "31-042"}}'
        )
        return self.literal(f'{{"items": [{point}], "count": 1, "page": 1, "per_page": 25}}')


@pytest.fixture(scope="module")
async def shipx(settings: Any) -> AsyncIterator[tuple[FakeShipX, TestClient]]:
    fake = FakeShipX()
    configure = {
        "inpost_api_token": TOKEN,
        "inpost_organization_id": ORG,
        "shipping_webhook_secret": SECRET,
    }
    async with app_beside(fake.app, settings, lambda url: {"inpost_api_url": url, **configure}) as client:
        yield fake, client


@pytest.fixture(scope="module")
async def sworld(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles={"reader": ["shipping_carriers.view"]})


@pytest.fixture(scope="module")
async def shipper(shipx: Any, sworld: World) -> Api:
    return await login(shipx[1], sworld.admin_email)


@pytest.fixture(scope="module")
async def watcher(shipx: Any, sworld: World) -> Api:
    return await login(shipx[1], sworld.emails["reader"])


@pytest.fixture(scope="module")
async def outsider(shipx: Any, sessionmaker: Any) -> Api:
    return await login(shipx[1], (await make_world(sessionmaker)).admin_email)


RECEIVER = {
    "firstName": "Jan",
    "lastName": "Kowalski",
    "email": "jan@example.com",
    "phone": "500600700",
    "street": "Długa",
    "buildingNumber": "1",
    "city": "Kraków",
    "postCode": "31-042",
}
LOCKER = {
    "provider": "inpost",
    "service": "inpost_locker_standard",
    "receiver": RECEIVER,
    "parcels": [{"template": "small"}],
    "targetPoint": "KRA010",
    "reference": "ORDER-1",
}

"""Fixtures of the Akeneo sync tests: a local server speaking the Akeneo PIM REST API on 127.0.0.1
(OAuth2 password grant with HTTP Basic client credentials, lists paginated by ``_links.next``), an
app whose ``AKENEO_API_URL`` points at it, one tenant per module and another tenant's admin."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.conftest import Api, app_beside, login
from tests.factories import World, make_world

CLIENT_ID, CLIENT_SECRET, USERNAME, PASSWORD = "crm_client", "crm_secret", "crm_api", "api_pass"
TOKEN = "akeneo-access-token"


def product(identifier: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "identifier": identifier,
        "family": "helmets",
        "enabled": True,
        "values": {
            "name": [
                {"locale": "en_US", "scope": None, "data": name},
                {"locale": "pl_PL", "scope": None, "data": f"{name} PL"},
            ],
            "description": [{"locale": None, "scope": "ecommerce", "data": f"About {name}"}],
            "color": [{"locale": None, "scope": None, "data": "black"}],
        },
        **extra,
    }


class FakeAkeneo:
    """Answers like Akeneo; ``products`` is served ``page_size`` per page; ``requests`` records paths."""

    def __init__(self) -> None:
        self.products = [product(f"HELM-{n}", f"Helmet {n}") for n in range(1, 6)]
        self.page_size = 2
        self.requests: list[str] = []
        app = web.Application()
        app.router.add_post("/api/oauth/v1/token", self.token)
        app.router.add_get("/api/rest/v1/{resource}", self.listing)
        self.app = app

    async def token(self, request: web.Request) -> web.Response:
        self.requests.append(request.path)
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        body = await request.json()
        if request.headers.get("Authorization") != f"Basic {basic}" or body != {
            "grant_type": "password",
            "username": USERNAME,
            "password": PASSWORD,
        }:
            return web.json_response({"code": 401, "message": "Authentication failed"}, status=401)
        return web.json_response(
            {"access_token": TOKEN, "expires_in": 3600, "token_type": "bearer", "refresh_token": "r"}
        )

    def page(self, request: web.Request, items: list[dict[str, Any]]) -> web.Response:
        page = int(request.query.get("page", "1"))
        chunk = items[(page - 1) * self.page_size : page * self.page_size]
        links: dict[str, Any] = {"self": {"href": str(request.url)}}
        if page * self.page_size < len(items):
            links["next"] = {"href": str(request.url.update_query(page=page + 1))}
        return web.json_response({"_links": links, "current_page": page, "_embedded": {"items": chunk}})

    async def listing(self, request: web.Request) -> web.Response:
        self.requests.append(request.path_qs)
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response(
                {"code": 401, "message": "The access token provided is invalid."}, status=401
            )
        resource = request.match_info["resource"]
        data = {
            "products": self.products,
            "families": [{"code": "helmets", "labels": {"en_US": "Helmets"}}],
            "attributes": [
                {
                    "code": "name",
                    "type": "pim_catalog_text",
                    "localizable": True,
                    "scopable": False,
                    "labels": {"en_US": "Name"},
                },
                {
                    "code": "color",
                    "type": "pim_catalog_simpleselect",
                    "localizable": False,
                    "scopable": False,
                },
            ],
            "channels": [{"code": "ecommerce", "labels": {"en_US": "Ecommerce"}}],
            "locales": [{"code": "en_US", "enabled": True}, {"code": "pl_PL", "enabled": True}],
        }.get(resource)
        if data is None:
            return web.json_response({"code": 404, "message": "Not found"}, status=404)
        return self.page(request, data)


@pytest.fixture(scope="module")
async def akeneo(settings: Any) -> AsyncIterator[tuple[FakeAkeneo, TestClient]]:
    fake = FakeAkeneo()
    configure = {
        "akeneo_client_id": CLIENT_ID,
        "akeneo_client_secret": CLIENT_SECRET,
        "akeneo_username": USERNAME,
        "akeneo_password": "wrong",  # the tenant's integration credentials carry the right one
    }
    async with app_beside(fake.app, settings, lambda url: {"akeneo_api_url": url, **configure}) as client:
        yield fake, client


@pytest.fixture(scope="module")
async def kworld(sessionmaker: Any) -> World:
    return await make_world(sessionmaker, roles={"operator": ["data_sync.run"]})


@pytest.fixture(scope="module")
async def syncer(akeneo: Any, kworld: World) -> Api:
    return await login(akeneo[1], kworld.admin_email)


@pytest.fixture(scope="module")
async def operator(akeneo: Any, kworld: World) -> Api:
    return await login(akeneo[1], kworld.emails["operator"])


@pytest.fixture(scope="module")
async def foreign(akeneo: Any, sessionmaker: Any) -> Api:
    return await login(akeneo[1], (await make_world(sessionmaker)).admin_email)

"""A client of the Akeneo PIM REST API at a configurable base URL.

- ``POST /api/oauth/v1/token`` with HTTP Basic ``client_id:secret`` and
  ``{"grant_type": "password", "username", "password"}`` → ``{"access_token", "expires_in", ...}``;
- lists ``GET /api/rest/v1/{products,families,attributes,channels,locales}?limit=N`` answer
  ``{"_links": {"next": {"href"}}, "_embedded": {"items": [...]}}``; the client follows ``next``
  (only on the same origin as the base URL) up to a page budget.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from crmgraph.errors import DomainError

TIMEOUT = 30.0
PAGE_SIZE = 100


class AkeneoError(DomainError):
    """Akeneo was unreachable, slow, refused the credentials or answered garbage."""

    status = 502
    code = "akeneo_error"


class AkeneoClient:
    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        username: str,
        password: str,
        timeout: float = TIMEOUT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id, self.client_secret = client_id, client_secret
        self.username, self.password = username, password
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.token: str | None = None
        self._origin = urlsplit(self.base_url)[:2]

    async def _request(self, method: str, url: str, headers: dict[str, str], body: Any = None) -> Any:
        try:
            async with (
                aiohttp.ClientSession(timeout=self.timeout) as session,
                session.request(method, url, json=body, headers=headers) as response,
            ):
                text = await response.text()
                if response.status == 401:
                    raise AkeneoError("Akeneo refused the credentials")
                if response.status >= 400:
                    raise AkeneoError(f"Akeneo answered {response.status}")
                return json.loads(text)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise AkeneoError(f"Akeneo unreachable ({type(exc).__name__})") from None
        except ValueError:
            raise AkeneoError("Akeneo answered something that is not JSON") from None

    async def authenticate(self) -> str:
        basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        reply = await self._request(
            "POST",
            self.base_url + "/api/oauth/v1/token",
            {"Authorization": f"Basic {basic}", "Content-Type": "application/json"},
            {"grant_type": "password", "username": self.username, "password": self.password},
        )
        token = reply.get("access_token") if isinstance(reply, dict) else None
        if not token:
            raise AkeneoError("Akeneo answered without an access token")
        self.token = str(token)
        return self.token

    async def _get(self, url: str) -> dict[str, Any]:
        if self.token is None:
            await self.authenticate()
        reply = await self._request("GET", url, {"Authorization": f"Bearer {self.token}"})
        if not isinstance(reply, dict):
            raise AkeneoError("Akeneo answered an unexpected list page")
        return reply

    async def pages(self, resource: str, max_pages: int) -> AsyncIterator[list[dict[str, Any]]]:
        """The items of ``resource`` page by page, following ``_links.next`` (same origin only)."""
        url: str | None = f"{self.base_url}/api/rest/v1/{resource}?limit={PAGE_SIZE}"
        for _ in range(max_pages):
            if url is None:
                return
            reply = await self._get(url)
            items = (reply.get("_embedded") or {}).get("items") or []
            yield [item for item in items if isinstance(item, dict)]
            url = ((reply.get("_links") or {}).get("next") or {}).get("href")
            if url is not None and urlsplit(url)[:2] != self._origin:
                raise AkeneoError("Akeneo pointed the next page at another host")

    async def all(self, resource: str, max_pages: int = 10) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        async for page in self.pages(resource, max_pages):
            found.extend(page)
        return found

"""Item 10: failures (not successes) are limited per account and per client address, the client
address honours a trusted proxy, and reset mails are limited per account."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from crmgraph.app import create_app
from crmgraph.ratelimit import client_ip
from models.auth import EmailOutbox
from tests.conftest import Api
from tests.factories import PASSWORD


@pytest.fixture
async def limited(settings) -> AsyncIterator[TestClient]:
    """The app behind a trusted proxy (127.0.0.1) with small budgets and its own counters."""
    small = replace(
        settings,
        queue_name=f"{settings.queue_name}:rl-{uuid.uuid4().hex[:6]}",
        login_rate_per_ip=6,
        login_rate_per_email=3,
        reset_rate_per_account=2,
        trusted_proxies="127.0.0.1/32",
    )
    async with TestClient(TestServer(create_app(small)), cookie_jar=DummyCookieJar()) as client:
        yield client


def _from(client: TestClient, address: str) -> Api:
    return Api(client, {"X-Forwarded-For": f"{address}, 127.0.0.1"})


async def _login(api: Api, email: str, password: str) -> int:
    return (await api.post("/api/auth/login", {"email": email, "password": password}))[0]


async def test_failures_of_one_account_do_not_lock_out_another(limited, world):
    office = _from(limited, "203.0.113.10")
    victim, colleague = world.emails["viewer"], world.emails["employee"]
    assert [await _login(office, victim, "wrong-one") for _ in range(3)] == [401, 401, 401]
    assert await _login(office, victim, PASSWORD) == 429  # this account's failure budget is spent
    assert await _login(office, colleague, PASSWORD) == 200  # same address, other account
    # Successes never count: many logins in one minute are fine.
    assert [await _login(office, colleague, PASSWORD) for _ in range(8)] == [200] * 8


async def test_each_client_behind_the_proxy_has_its_own_address_budget(limited, world):
    attacker, bystander = _from(limited, "198.51.100.7"), _from(limited, "198.51.100.8")
    emails = [f"ghost-{i}-{uuid.uuid4().hex[:6]}@example.com" for i in range(6)]
    assert [await _login(attacker, e, "guess") for e in emails] == [401] * 6
    assert await _login(attacker, world.admin_email, PASSWORD) == 429
    assert await _login(bystander, world.admin_email, PASSWORD) == 200


def test_forwarded_address_is_believed_only_from_a_trusted_proxy(settings):
    proxied = replace(settings, trusted_proxies="10.0.0.0/8")
    header = {"X-Forwarded-For": "1.2.3.4, 10.1.1.1"}
    assert client_ip("10.2.2.2", header, proxied) == "1.2.3.4"
    assert client_ip("192.0.2.1", header, proxied) == "192.0.2.1"  # spoofed by the client itself
    assert client_ip("10.2.2.2", {"X-Forwarded-For": "9.9.9.9, 5.6.7.8"}, proxied) == "5.6.7.8"
    assert client_ip("10.2.2.2", header, settings) == "10.2.2.2"  # no proxy configured


async def test_reset_mails_are_limited_per_account(limited, world, sessionmaker):
    victim = world.emails["viewer"]
    for i in range(5):  # from five different addresses
        status, body = await _from(limited, f"192.0.2.{i + 1}").post("/api/auth/reset", {"email": victim})
        assert (status, body) == (200, {"ok": True})
    async with sessionmaker() as session:
        sent = await session.scalar(
            select(func.count()).select_from(EmailOutbox).where(EmailOutbox.to_address == victim)
        )
    assert sent == 2

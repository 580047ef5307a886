"""Attachments on S3-compatible storage, against a real server when one is reachable: set
``S3_TEST_ENDPOINT_URL`` (default ``http://127.0.0.1:9000``, e.g. MinIO) and, when it needs them,
``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``. Skipped, saying why, when none answers."""

from __future__ import annotations

import asyncio
import os
import uuid
from dataclasses import replace
from urllib.parse import urlsplit

import pytest
from aiobotocore.session import get_session
from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient, TestServer

from crmgraph.app import create_app
from tests.conftest import login
from tests.entities.test_attachments import PDF, fetch, upload
from tests.factories import make_world

ENDPOINT = os.environ.get("S3_TEST_ENDPOINT_URL", "http://127.0.0.1:9000")


async def reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(parts.hostname, parts.port or 80), 1.0)
    except (OSError, TimeoutError):
        return False
    writer.close()
    return True


@pytest.fixture
async def s3_client(settings, monkeypatch):
    if not await reachable(ENDPOINT):
        pytest.skip(
            f"no S3-compatible server at {ENDPOINT} (set S3_TEST_ENDPOINT_URL to test the S3 storage)"
        )
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "crmgraph-test"),
        ("AWS_SECRET_ACCESS_KEY", "crmgraph-test-secret"),
    ):
        if not os.environ.get(name):
            monkeypatch.setenv(name, value)
    bucket = f"crmgraph-test-{uuid.uuid4().hex[:8]}"
    async with get_session().create_client("s3", endpoint_url=ENDPOINT, region_name="us-east-1") as s3:
        await s3.create_bucket(Bucket=bucket)
        monkeypatch.setenv("ATTACHMENTS_STORAGE_OFFSITE", f"s3://{bucket}/files")
        app = create_app(replace(settings, s3_endpoint_url=ENDPOINT), redis=False)
        async with TestClient(TestServer(app), cookie_jar=DummyCookieJar()) as client:
            yield client, s3, bucket


async def test_a_partition_on_s3_keeps_its_files_there(s3_client, sessionmaker):
    client, s3, bucket = s3_client
    world = await make_world(sessionmaker)
    admin = await login(client, world.admin_email)
    status, _ = await admin.post("/api/attachments/partitions", {"code": "offsite", "title": "Offsite"})
    assert status == 201
    status, person = await admin.post("/api/customers/people", {"firstName": "S", "lastName": "Three"})
    assert status == 201
    status, reply = await upload(
        admin, "customers:person", person["id"], PDF, "offsite.pdf", partitionCode="offsite"
    )
    assert status == 201, reply
    listed = await s3.list_objects_v2(Bucket=bucket, Prefix="files/")
    keys = [entry["Key"] for entry in listed.get("Contents", [])]
    assert len(keys) == 1
    stored = await s3.get_object(Bucket=bucket, Key=keys[0])
    async with stored["Body"] as body:
        assert await body.read() == PDF
    status, content, headers = await fetch(admin, reply["item"]["url"])
    assert status == 200 and content == PDF and headers["Content-Type"] == "application/pdf"
    assert (await admin.delete(f"/api/attachments?id={reply['item']['id']}"))[0] == 200
    assert not (await s3.list_objects_v2(Bucket=bucket, Prefix="files/")).get("Contents")

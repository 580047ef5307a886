"""Attachments: upload and byte-exact download, content types from the bytes, resized and cached
images, the library, metadata edits, transfer, partitions and their rules, size limits, and
isolation on every route (the credential-free file routes included)."""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from pathlib import Path
from typing import Any

from aiohttp import FormData
from PIL import Image

from resolvers.attachments.common import MAX_BYTES
from resolvers.attachments.renditions import cache_path
from tests.conftest import Api
from tests.entities.conftest import TRACK_DAY, ok, record, track_day

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + os.urandom(2048)


def png(width: int = 64, height: int = 32, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), (20, 120, 200)).save(out, format="PNG")
    return out.getvalue()


async def upload(
    api: Api, entity_id: str, record_id: str, body: bytes, name: str, **fields: str
) -> tuple[int, Any]:
    form = FormData(quote_fields=False)  # file names as browsers send them
    form.add_field("entityId", entity_id)
    form.add_field("recordId", record_id)
    for key, value in fields.items():
        form.add_field(key, value)
    form.add_field("file", body, filename=name, content_type="application/octet-stream")
    return await api.post("/api/attachments", data=form)


async def person(api: Api, name: str = "Ann") -> str:
    return (await ok(api, "POST", "/api/customers/people", {"firstName": name, "lastName": "Lee"}, 201))["id"]


async def attached(api: Api, body: bytes = PDF, name: str = "report.pdf", **fields: str) -> tuple[str, str]:
    """(person id, attachment id)."""
    pid = await person(api)
    status, reply = await upload(api, "customers:person", pid, body, name, **fields)
    assert status == 201, reply
    return pid, reply["item"]["id"]


async def fetch(api: Api, path: str) -> tuple[int, bytes, Any]:
    response = await api.client.get(path, headers=api.headers)
    return response.status, await response.read(), response.headers


async def test_round_trip_is_byte_exact_and_typed_from_the_bytes(boss):
    pid, aid = await attached(boss, PDF, "notes.txt")  # the name and the client's type lie
    status, body, headers = await fetch(boss, f"/api/attachments/file/{aid}")
    assert status == 200 and hashlib.sha256(body).digest() == hashlib.sha256(PDF).digest()
    assert headers["Content-Type"] == "application/pdf" and headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Disposition"].startswith("inline")
    status, _, headers = await fetch(boss, f"/api/attachments/file/{aid}?download=1")
    assert headers["Content-Type"] == "application/octet-stream" and headers[
        "Content-Disposition"
    ].startswith("attachment")
    items = (await ok(boss, "GET", f"/api/attachments?entityId=customers:person&recordId={pid}"))["items"]
    assert [(i["id"], i["mimeType"], i["fileSize"], i["url"]) for i in items] == [
        (aid, "application/pdf", len(PDF), f"/api/attachments/file/{aid}")
    ]


async def test_unknown_binaries_download_and_active_content_is_refused(boss):
    _, aid = await attached(boss, b"\x00\x01binary\xff" * 50, "blob.bin")
    _, _, headers = await fetch(boss, f"/api/attachments/file/{aid}")
    assert headers["Content-Type"] == "application/octet-stream" and headers[
        "Content-Disposition"
    ].startswith("attachment")
    pid = await person(boss)
    html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
    status, body = await upload(boss, "customers:person", pid, html, "page.png")
    assert status == 400 and body["details"][0]["code"] == "unsupported_type"
    assert (await upload(boss, "customers:person", pid, b"MZ" + bytes(100), "tool.exe"))[0] == 400


async def test_images_are_resized_to_the_requested_size_and_cached(boss, settings):
    _, aid = await attached(boss, png(64, 32), "bike.png")
    path = f"/api/attachments/image/{aid}/bike"
    status, body, headers = await fetch(boss, f"{path}?width=20&height=20")
    assert status == 200 and headers["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(body)).size == (20, 20)
    cached = cache_path(settings, uuid.UUID(aid), 20, 20, "cover")
    assert cached.exists() and cached.read_bytes() == body
    cached.write_bytes(png(3, 3))  # the next answer comes from the cache
    assert Image.open(io.BytesIO((await fetch(boss, f"{path}?width=20&height=20"))[1])).size == (3, 3)
    status, body, _ = await fetch(boss, f"{path}?width=32")
    assert Image.open(io.BytesIO(body)).size == (32, 16)  # the aspect ratio is kept
    status, body, _ = await fetch(boss, f"{path}?width=40&height=40&cropType=contain")
    padded = Image.open(io.BytesIO(body))
    assert padded.size == (40, 40) and padded.mode == "RGBA" and padded.getpixel((0, 0))[3] == 0
    assert (await fetch(boss, f"{path}?width=0"))[0] == 400
    assert (await fetch(boss, f"{path}?width=4001"))[0] == 400
    assert (await fetch(boss, f"{path}?cropType=stretch"))[0] == 400
    _, pdf = await attached(boss)
    assert (await fetch(boss, f"/api/attachments/image/{pdf}/doc?width=10"))[0] == 400
    await ok(boss, "DELETE", f"/api/attachments/library/{aid}")
    assert not Path(cached).parent.exists()  # renditions go with the attachment
    assert (await fetch(boss, f"{path}?width=20&height=20"))[0] == 404


async def test_deleting_removes_the_stored_file(boss, settings, sessionmaker):
    from models.attachments import Attachment

    _, aid = await attached(boss)
    async with sessionmaker() as session:
        key = (await session.get(Attachment, uuid.UUID(aid))).storage_key
    stored = Path(settings.storage_dir) / key[:2] / key
    assert stored.read_bytes() == PDF
    await ok(boss, "DELETE", f"/api/attachments?id={aid}")
    assert not stored.exists()
    assert (await boss.delete(f"/api/attachments?id={aid}"))[0] == 404


async def test_uploads_need_a_visible_record_and_respect_the_size_limit(boss, clerk, reader):
    pid = await person(boss)
    assert (await upload(boss, "customers:person", str(uuid.uuid4()), PDF, "a.pdf"))[0] == 404
    assert (await upload(boss, "user:ghost", pid, PDF, "a.pdf"))[0] == 400
    assert (await upload(boss, "customers:person", pid, PDF, "a.pdf", partitionCode="nope"))[0] == 400
    status, body = await upload(boss, "customers:person", pid, b"x" * (MAX_BYTES + 1), "big.pdf")
    assert status == 413 and body["maxBytes"] == MAX_BYTES
    status, body = await upload(reader, "customers:person", pid, PDF, "a.pdf")
    assert status == 403 and body["requiredFeatures"] == ["attachments.manage"]
    status, body = await boss.post("/api/attachments", {"entityId": "customers:person", "recordId": pid})
    assert status == 400  # multipart only
    form = FormData()
    form.add_field("entityId", "customers:person")
    form.add_field("recordId", pid)
    assert (await boss.post("/api/attachments", data=form))[0] == 400  # no file
    # Files of custom entity records and of the library itself.
    await track_day(boss)
    rid = await record(boss, {"title": "Spring"})
    status, reply = await upload(boss, TRACK_DAY, rid, png(), "map.png", tags='["map", "circuit"]')
    assert status == 201 and reply["item"]["tags"] == ["map", "circuit"]
    # The record lives in the root organization: not in the clerk's (the branch).
    assert (await upload(clerk, TRACK_DAY, rid, png(), "map.png"))[0] == 404
    assert (await fetch(clerk, reply["item"]["url"]))[0] == 404
    status, reply = await upload(boss, "attachments:library", "logo", png(), "logo.png")
    assert status == 201, reply


async def test_library_lists_filters_and_edits(boss):
    _, first = await attached(boss, PDF, "Invoice March.pdf", tags="invoice,2027")
    _, second = await attached(boss, png(), "Bike.png", tags="photo", partitionCode="productsMedia")
    page = await ok(boss, "GET", "/api/attachments/library?page=1&pageSize=25")
    assert [i["id"] for i in page["items"]] == [second, first] and page["total"] == 2  # newest first
    assert page["availableTags"] == ["2027", "invoice", "photo"]
    assert {p["code"]: p["isPublic"] for p in page["partitions"]} == {
        "privateAttachments": False,
        "productsMedia": True,
    }
    assert [i["id"] for i in (await ok(boss, "GET", "/api/attachments/library?search=invoice"))["items"]] == [
        first
    ]
    assert [
        i["id"] for i in (await ok(boss, "GET", "/api/attachments/library?partition=productsMedia"))["items"]
    ] == [second]
    assert [
        i["id"] for i in (await ok(boss, "GET", "/api/attachments/library?tags=photo,none"))["items"]
    ] == [second]
    sorted_page = await ok(boss, "GET", "/api/attachments/library?sortField=fileName&sortDir=asc")
    assert [i["fileName"] for i in sorted_page["items"]] == ["Bike.png", "Invoice March.pdf"]
    assert (await boss.get("/api/attachments/library?sortField=secret"))[0] == 400

    await ok(
        boss,
        "POST",
        "/api/entities/definitions",
        {"entityId": "attachments:attachment", "key": "pages", "kind": "integer"},
    )
    patch = {
        "tags": ["invoice", "paid"],
        "customFields": {"pages": "3"},
        "assignments": [{"type": "customers:deal", "id": "d-1"}],
    }
    assert await ok(boss, "PATCH", f"/api/attachments/library/{first}", patch) == {"ok": True}
    item = (await ok(boss, "GET", f"/api/attachments/library/{first}"))["item"]
    assert item["tags"] == ["invoice", "paid"] and item["customFields"] == {"pages": 3}
    assert (
        item["assignments"][0]["type"] == "customers:deal" and item["partitionTitle"] == "Private attachments"
    )
    status, body = await boss.call(
        "PATCH", f"/api/attachments/library/{first}", json={"customFields": {"pages": "many"}}
    )
    assert status == 400 and body["details"][0]["path"] == ["cf_pages"]
    result = await boss.gql(
        f'{{ attachment(id: "{first}") {{ fileName tags partition {{ code }} customFields {{ key kind value }} }} }}'
    )
    assert result["data"]["attachment"] == {
        "fileName": "Invoice March.pdf",
        "tags": ["invoice", "paid"],
        "partition": {"code": "privateAttachments"},
        "customFields": [{"key": "pages", "kind": "integer", "value": 3}],
    }


async def test_transfer_moves_files_between_records_of_one_entity(boss):
    source, aid = await attached(boss)
    target = await person(boss, "Bob")
    moved = await ok(
        boss,
        "POST",
        "/api/attachments/transfer",
        {"entityId": "customers:person", "attachmentIds": [aid], "toRecordId": target},
    )
    assert moved == {"ok": True, "updated": 1}
    assert (await ok(boss, "GET", f"/api/attachments?entityId=customers:person&recordId={source}"))[
        "items"
    ] == []
    item = (await ok(boss, "GET", f"/api/attachments?entityId=customers:person&recordId={target}"))["items"][
        0
    ]
    assert item["id"] == aid and item["assignments"] == [
        {"type": "customers:person", "id": target, "href": None, "label": None}
    ]
    await track_day(boss)
    rid = await record(boss, {"title": "T"})
    wrong = {"entityId": TRACK_DAY, "attachmentIds": [aid], "toRecordId": rid}
    assert (await boss.post("/api/attachments/transfer", wrong))[0] == 400  # not a file of that entity
    missing = {
        "entityId": "customers:person",
        "attachmentIds": [aid, str(uuid.uuid4())],
        "toRecordId": source,
    }
    assert (await boss.post("/api/attachments/transfer", missing))[0] == 404  # all or nothing
    assert (await ok(boss, "GET", f"/api/attachments?entityId=customers:person&recordId={target}"))["items"]


async def test_partitions(boss, clerk, reader):
    listed = await ok(boss, "GET", "/api/attachments/partitions")
    codes = {p["code"]: p for p in listed["items"]}
    assert set(codes) == {"privateAttachments", "productsMedia"}
    assert codes["productsMedia"]["envKey"] == "ATTACHMENTS_STORAGE_PRODUCTS_MEDIA"
    created = await ok(
        boss, "POST", "/api/attachments/partitions", {"code": "contracts", "title": "Contracts"}, 201
    )
    item = created["item"]
    assert item["isPublic"] is False and item["envKey"] == "ATTACHMENTS_STORAGE_CONTRACTS"
    assert (await boss.post("/api/attachments/partitions", {"code": "contracts", "title": "Again"}))[0] == 409
    assert (await boss.post("/api/attachments/partitions", {"code": "!!", "title": "Bad"}))[0] == 400
    update = {"id": item["id"], "code": "contracts", "title": "Signed contracts", "isPublic": True}
    assert (await ok(boss, "PUT", "/api/attachments/partitions", update))["item"][
        "title"
    ] == "Signed contracts"
    assert (await boss.put("/api/attachments/partitions", {**update, "code": "renamed"}))[0] == 400
    await attached(boss, partitionCode="contracts")
    assert (await boss.delete(f"/api/attachments/partitions?id={item['id']}"))[0] == 409  # in use
    default = codes["privateAttachments"]["id"]
    assert (await boss.delete(f"/api/attachments/partitions?id={default}"))[0] == 400
    empty = (await ok(boss, "POST", "/api/attachments/partitions", {"code": "empty", "title": "Empty"}, 201))[
        "item"
    ]
    assert await ok(boss, "DELETE", f"/api/attachments/partitions?id={empty['id']}") == {"ok": True}
    assert (await clerk.get("/api/attachments/partitions"))[0] == 200  # the clerk holds attachments.*
    status, body = await reader.get("/api/attachments/partitions")
    assert status == 403 and body["requiredFeatures"] == ["attachments.manage"]
    assert (await boss.delete(f"/api/attachments/partitions?id={uuid.uuid4()}"))[0] == 404


async def test_public_partitions_are_served_without_credentials(boss, anonymous):
    _, public = await attached(boss, png(), "shop.png", partitionCode="productsMedia")
    _, private = await attached(boss)
    status, body, headers = await fetch(anonymous, f"/api/attachments/file/{public}")
    assert status == 200 and body == png() and headers["Cache-Control"] == "public, max-age=86400"
    assert (await fetch(anonymous, f"/api/attachments/image/{public}/shop?width=8"))[0] == 200
    assert (await fetch(anonymous, f"/api/attachments/file/{private}"))[0] == 401
    assert (await fetch(anonymous, f"/api/attachments/image/{private}/x"))[0] == 401
    assert (await fetch(anonymous, f"/api/attachments/file/{uuid.uuid4()}"))[0] == 404
    assert (await fetch(anonymous, "/api/attachments/file/not-a-uuid"))[0] == 404


async def test_another_tenants_file_is_not_found_on_every_route(boss, stranger):
    pid, aid = await attached(boss, png(), "secret.png")
    _, public = await attached(boss, png(), "shop.png", partitionCode="productsMedia")
    for path in (
        f"/api/attachments/file/{aid}",
        f"/api/attachments/image/{aid}/x",
        f"/api/attachments/file/{public}",
    ):
        assert (await fetch(stranger, path))[0] == 404, path
    assert (await stranger.get(f"/api/attachments/library/{aid}"))[0] == 404
    assert (await stranger.call("PATCH", f"/api/attachments/library/{aid}", json={"tags": ["x"]}))[0] == 404
    assert (await stranger.delete(f"/api/attachments/library/{aid}"))[0] == 404
    assert (await stranger.delete(f"/api/attachments?id={aid}"))[0] == 404
    assert (await ok(stranger, "GET", f"/api/attachments?entityId=customers:person&recordId={pid}"))[
        "items"
    ] == []
    assert (await ok(stranger, "GET", "/api/attachments/library"))["items"] == []
    theirs = await person(stranger)
    move = {"entityId": "customers:person", "attachmentIds": [aid], "toRecordId": theirs}
    assert (await stranger.post("/api/attachments/transfer", move))[0] == 404
    assert (await upload(stranger, "customers:person", pid, PDF, "x.pdf"))[
        0
    ] == 404  # their record is not ours
    assert (await stranger.gql(f'{{ attachment(id: "{aid}") {{ id }} }}'))["data"]["attachment"] is None
    assert (await fetch(boss, f"/api/attachments/file/{aid}"))[0] == 200  # untouched


async def test_insurance_lead_files_are_served_at_the_documented_address(boss, stranger):
    lead = (await ok(boss, "POST", "/api/insurance/leads", {"title": "Lead with a file"}, 201))["id"]
    form = FormData()
    form.add_field("file", PDF, filename="policy.pdf", content_type="application/pdf")
    status, reply = await boss.post(f"/api/insurance/leads/{lead}/attachments", data=form)
    assert status == 201, reply
    status, body, headers = await fetch(boss, reply["item"]["url"])
    assert status == 200 and body == PDF and headers["Content-Type"] == "application/pdf"
    assert (await fetch(stranger, reply["item"]["url"]))[0] == 404

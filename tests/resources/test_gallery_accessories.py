"""The gallery (multipart image uploads, edits, deletion with the files) and accessory links (PATCH
changes only the keys sent, DELETE answers 204 without a body)."""

from __future__ import annotations

import pytest
from PIL import Image
from sqlalchemy import select

from crmgraph.errors import BadRequest
from models.audit import ActionLog
from models.resources import GalleryImage
from resolvers.undo import undo
from tests.conftest import login
from tests.customers.test_compound_commands import request_context
from tests.factories import make_world
from tests.resources.conftest import Fleet, png

GALLERY = "/api/resources/resource-gallery"
LINKS = "/api/resources/resource-accessory-links"


async def _keys(sessionmaker, image_id: str) -> list[str]:
    async with sessionmaker() as session:
        image = await session.get(GalleryImage, image_id)
        return [image.storage_key, image.thumbnail_key]


def _files(root) -> int:
    return sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0


def _path(root, key: str):
    return root / key[:2] / key


async def test_upload_list_edit_and_delete_an_image(fleet, sessionmaker, storage_dir):
    bike = await fleet.resource()
    status, first = await fleet.upload(bike, caption="Left side")
    assert status == 201, first
    assert (first["contentType"], first["width"], first["height"], first["caption"]) == (
        "image/png",
        640,
        480,
        "Left side",
    )
    status, second = await fleet.upload(bike, png((100, 50), "blue"), isPrimary="true", sortOrder="5")
    assert status == 201 and second["isPrimary"] is True and second["sortOrder"] == 5
    keys = await _keys(sessionmaker, first["id"])
    assert all(_path(storage_dir, key).exists() for key in keys)
    with Image.open(_path(storage_dir, keys[1])) as thumbnail:
        assert thumbnail.size == (320, 240)

    listed = (await fleet.list("resources/resource-gallery", resourceId=bike))["items"]
    assert [i["id"] for i in listed] == [second["id"], first["id"]]  # primary first
    assert "storageKey" not in listed[0]

    status, edited = await fleet.api.call("PATCH", GALLERY, json={"id": first["id"], "isPrimary": True})
    assert status == 200 and edited["isPrimary"] is True and edited["caption"] == "Left side"
    listed = (await fleet.list("resources/resource-gallery", resourceId=bike))["items"]
    assert [(i["id"], i["isPrimary"]) for i in listed] == [(first["id"], True), (second["id"], False)]

    status, body = await fleet.api.delete(f"{GALLERY}?id={first['id']}")
    assert (status, body) == (204, None)
    assert not any(_path(storage_dir, key).exists() for key in keys)
    assert [i["id"] for i in (await fleet.list("resources/resource-gallery", resourceId=bike))["items"]] == [
        second["id"]
    ]
    assert (await fleet.api.delete(f"{GALLERY}?id={first['id']}"))[0] == 404


async def test_a_file_that_is_not_an_image_is_refused_and_not_kept(fleet, storage_dir):
    bike = await fleet.resource()
    before = _files(storage_dir)
    status, body = await fleet.upload(bike, b"%PDF-1.4 definitely not an image")
    assert status == 400 and body["details"][0]["path"] == ["file"]
    status, body = await fleet.upload("00000000-0000-4000-8000-000000000000")
    assert status == 404
    status, body = await fleet.api.post(GALLERY, {"resourceId": bike})
    assert status == 400
    assert _files(storage_dir) == before


async def test_gallery_is_tenant_scoped(client, sessionmaker, fleet):
    bike = await fleet.resource()
    status, image = await fleet.upload(bike)
    assert status == 201
    intruder = Fleet(await login(client, (await make_world(sessionmaker)).admin_email))
    assert (await intruder.api.get(f"{GALLERY}?resourceId={bike}"))[0] == 404
    assert (await intruder.upload(bike))[0] == 404
    assert (await intruder.api.call("PATCH", GALLERY, json={"id": image["id"], "caption": "x"}))[0] == 404
    assert (await intruder.api.delete(f"{GALLERY}?id={image['id']}"))[0] == 404
    assert (await fleet.api.get(f"{GALLERY}?resourceId=not-a-uuid"))[0] == 400


async def test_accessory_links(fleet):
    bike, case, grips = (
        await fleet.resource(),
        await fleet.resource("Top case"),
        await fleet.resource("Heated grips"),
    )
    link = await fleet.create(
        "resources/resource-accessory-links",
        {"hostResourceId": bike, "accessoryResourceId": case, "quantity": 1, "notes": "Fitted"},
    )
    await fleet.create(
        "resources/resource-accessory-links",
        {"hostResourceId": bike, "accessoryResourceId": grips, "sortOrder": -1},
    )
    items = (await fleet.list("resources/resource-accessory-links", hostResourceId=bike))["items"]
    assert [i["accessory"]["name"] for i in items] == ["Heated grips", "Top case"]

    status, patched = await fleet.api.call("PATCH", LINKS, json={"id": link, "quantity": 2})
    assert status == 200 and (patched["quantity"], patched["notes"]) == (2, "Fitted")  # notes untouched
    status, patched = await fleet.api.call("PATCH", LINKS, json={"id": link, "notes": None})
    assert status == 200 and (patched["quantity"], patched["notes"]) == (2, None)
    status, body = await fleet.api.call("PATCH", LINKS, json={"id": link, "quantity": 0})
    assert status == 400 and body["details"][0]["path"] == ["quantity"]

    status, body = await fleet.api.post(LINKS, {"hostResourceId": bike, "accessoryResourceId": case})
    assert status == 409
    status, body = await fleet.api.post(LINKS, {"hostResourceId": bike, "accessoryResourceId": bike})
    assert status == 400
    assert (await fleet.api.get(LINKS))[0] == 400  # hostResourceId is required

    assert await fleet.api.delete(f"{LINKS}?id={link}") == (204, None)
    assert [
        i["accessory"]["name"]
        for i in (await fleet.list("resources/resource-accessory-links", hostResourceId=bike))["items"]
    ] == ["Heated grips"]
    assert (await fleet.api.delete(LINKS, json={"id": link}))[0] == 404


async def test_accessory_links_are_tenant_scoped(client, sessionmaker, fleet):
    bike, case = await fleet.resource(), await fleet.resource("Top case")
    link = await fleet.create(
        "resources/resource-accessory-links", {"hostResourceId": bike, "accessoryResourceId": case}
    )
    intruder = Fleet(await login(client, (await make_world(sessionmaker)).admin_email))
    own = await intruder.resource()
    assert (await intruder.api.get(f"{LINKS}?hostResourceId={bike}"))[0] == 404
    assert (await intruder.api.post(LINKS, {"hostResourceId": own, "accessoryResourceId": case}))[0] == 404
    assert (await intruder.api.call("PATCH", LINKS, json={"id": link, "quantity": 3}))[0] == 404
    assert (await intruder.api.delete(f"{LINKS}?id={link}"))[0] == 404


async def test_undo_of_an_upload_removes_the_files_and_a_deletion_is_final(
    fleet, settings, sessionmaker, storage_dir
):
    bike = await fleet.resource()
    status, image = await fleet.upload(bike)
    assert status == 201
    keys = await _keys(sessionmaker, image["id"])
    ctx = await request_context(settings, sessionmaker, fleet.api)

    async def log_of(command: str) -> ActionLog:
        async with sessionmaker() as session:
            return await session.scalar(
                select(ActionLog).where(ActionLog.resource_id == image["id"], ActionLog.command_id == command)
            )

    await undo(ctx, (await log_of("resources.resource_gallery_image.create")).undo_token)
    assert (await fleet.list("resources/resource-gallery", resourceId=bike))["items"] == []
    assert not any(_path(storage_dir, key).exists() for key in keys)

    status, image = await fleet.upload(bike)
    assert (await fleet.api.delete(f"{GALLERY}?id={image['id']}"))[0] == 204
    with pytest.raises(BadRequest):
        await undo(ctx, (await log_of("resources.resource_gallery_image.delete")).undo_token)


async def test_a_malformed_multipart_body_is_a_400(fleet):
    body = b'--xx\r\nContent-Disposition: form-data; name="\x07\xc3"\r\nBad Header\r\n\r\nvalue\r\n--xx--\r\n'
    status, reply = await fleet.api.call(
        "POST", GALLERY, data=body, headers={"Content-Type": "multipart/form-data; boundary=xx"}
    )
    assert status == 400 and reply["error"]

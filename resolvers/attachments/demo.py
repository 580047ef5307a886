"""The attachments module's demo data: a circuit map (a small generated PNG) on the first track day."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw
from sqlalchemy import select

from crmgraph.demo import DemoSeeder
from models.attachments import Attachment
from models.entities import CustomEntityRecord
from resolvers.attachments.common import staging
from resolvers.entities.demo import TRACK_DAY, TRACK_DAYS
from resolvers.operations import OPERATIONS, invoke

FILE_NAME = "circuit-map.png"


def circuit_map() -> bytes:
    image = Image.new("RGB", (320, 200), (240, 240, 235))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((30, 40, 290, 160), radius=50, outline=(40, 40, 40), width=8)
    draw.line((160, 40, 160, 60), fill=(200, 30, 30), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


async def seed(self: DemoSeeder) -> None:
    """Upload the map unless the record has it already."""
    ctx = self.ctx
    title = TRACK_DAYS[0]["title"]
    async with ctx.read_session() as session:
        record_id = await session.scalar(
            select(CustomEntityRecord.id).where(
                CustomEntityRecord.tenant_id == ctx.tenant_id(),
                CustomEntityRecord.entity_id == TRACK_DAY,
                CustomEntityRecord.values.contains({"title": title}),
                CustomEntityRecord.deleted_at.is_(None),
            )
        )
        if record_id is None:
            return
        present = await session.scalar(
            select(Attachment.id).where(
                Attachment.record_uuid == record_id, Attachment.file_name == FILE_NAME
            )
        )
    if present is not None:
        return
    body = circuit_map()

    async def chunks():
        yield body

    stored = await staging(ctx.settings).save(
        chunks(), filename=FILE_NAME, content_type="image/png", max_bytes=len(body)
    )
    raw = {"entityId": TRACK_DAY, "recordId": str(record_id), "file": stored.as_json(), "tags": "circuit,map"}
    await invoke(OPERATIONS["upload_attachment"], ctx, raw)

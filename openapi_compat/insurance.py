"""REST routes of the insurance module: CRUD of the declared entities, and lead attachments (a
multipart upload or a JSON import; everything else is declared in ``resolvers.insurance``)."""

from __future__ import annotations

from typing import Any

from crmgraph.errors import ValidationFailed, issue
from crmgraph.storage import LocalStorage, StoredFile
from models.insurance import Lead
from openapi_compat.crud import crud_routes
from openapi_compat.routing import Reply, RestRequest, route
from resolvers.insurance.attachments import MAX_BYTES, InsuranceAttachmentImportInput, attach, item
from resolvers.insurance.entities import INSURER, INSURER_CONTACT, LEAD, POLICY
from resolvers.operations import OPERATIONS, invoke
from resolvers.scope import load_in_scope

for _entity in (INSURER, INSURER_CONTACT, LEAD, POLICY):
    crud_routes(_entity)


@route("POST", "/insurance/leads/{id}/attachments", status=201, body_model=InsuranceAttachmentImportInput)
async def lead_attachment(request: RestRequest) -> Any:
    """Attach a file to a lead: multipart ``file`` (optional ``tags`` JSON string), or JSON
    ``{sourceUrl, fileName?}`` to import a remote file."""
    lead_id = request.match["id"]
    if request.http.content_type != "multipart/form-data":
        body = await request.json_object()
        op = OPERATIONS["import_insurance_lead_attachment"]
        _, result = await invoke(op, request.ctx, {**body, "id": lead_id})
        return Reply(result, 201)
    async with request.ctx.read_session() as session:  # 404 before reading any upload
        await load_in_scope(request.ctx, session, Lead, lead_id, "Lead")
    storage = LocalStorage(request.ctx.settings.storage_dir)
    form = await request.upload_form(storage, MAX_BYTES)
    files = {name: value for name, value in form.items() if isinstance(value, StoredFile)}
    upload = files.pop("file", None)
    for extra in files.values():  # only ``file`` is kept
        await storage.delete(extra.key)
    if upload is None:
        raise ValidationFailed([issue("file", "A file part named 'file' is required", "invalid_type")])
    row = await attach(request.ctx, lead_id, upload, tags=form.get("tags"))
    return Reply({"ok": True, "item": item(row)}, 201)

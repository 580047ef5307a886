"""``POST /inbox_ops/webhook/inbound``: an email forwarded by the mail provider.

The tenant is the one whose forwarding token is in ``to`` (``inbox+<token>@host``); the raw body
must carry ``X-Inbox-Signature``: the hex HMAC-SHA256 of the body under that tenant's webhook
secret (``sha256=`` prefix allowed), else 401 — the same answer as for an unknown address, so the
route reveals nothing. Each tenant gets ``BUDGET`` calls a minute (429). A ``messageId`` already
received by the tenant is not stored twice.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticError
from sqlalchemy import select

from crmgraph.context import RequestContext
from crmgraph.errors import BadRequest, Unauthorized, ValidationFailed, issue
from models.inbox_ops import InboxEmail, InboxSettings
from resolvers.inbox_ops.extractor import EMAIL
from resolvers.inbox_ops.pipeline import receive, token_from_address, webhook_secret
from resolvers.ratelimits import Budget, require
from resolvers.validation import check_safe
from resolvers.validation import text as bounded

SIGNATURE_HEADER = "X-Inbox-Signature"
MAX_BODY = 256 * 1024
BUDGET = Budget("inbox_ops.webhook", 60, 60)


class InboundEmail(BaseModel):
    model_config = ConfigDict(extra="ignore")
    to: bounded(320)
    from_: bounded(320)
    fromName: bounded(200) | None = None
    subject: bounded(500) = ""
    text: bounded(100_000) = ""
    messageId: bounded(500) | None = None


def verify(secret: str, body: bytes, signature: str | None) -> None:
    """401 unless ``signature`` is the hex HMAC-SHA256 of ``body`` under ``secret``."""
    given = (signature or "").strip().removeprefix("sha256=").lower()
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not secret or not given or not hmac.compare_digest(expected, given):
        raise Unauthorized("Invalid signature")


def parse(raw: bytes) -> InboundEmail:
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("Body must be JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("Body must be a JSON object")
    check_safe(body)
    if "from" in body:
        body["from_"] = body.pop("from")
    try:
        email = InboundEmail.model_validate(body)
    except PydanticError as exc:
        details = [issue([str(p) for p in e["loc"]], e["msg"], e["type"]) for e in exc.errors()]
        raise ValidationFailed(details) from None
    address = email.from_.rsplit("<", 1)[-1].rstrip(">").strip()
    if not EMAIL.fullmatch(address):
        raise ValidationFailed([issue(["from"], "An email address", "invalid_string")])
    if email.fromName is None and "<" in email.from_:
        email.fromName = email.from_.rsplit("<", 1)[0].strip().strip('"') or None
    email.from_ = address.lower()
    return email


async def receive_webhook(
    ctx: RequestContext, raw: bytes, signature: str | None
) -> tuple[dict[str, Any], int]:
    """Verify, then store and process one inbound email; ``(body, status)``."""
    if len(raw) > MAX_BODY:
        raise BadRequest("Body too large")
    email = parse(raw)
    token = token_from_address(email.to)
    async with ctx.read_session(system=True) as session:
        row = (
            None
            if token is None
            else await session.scalar(select(InboxSettings).where(InboxSettings.forwarding_token == token))
        )
    if row is None:
        raise Unauthorized("Invalid signature")
    verify(webhook_secret(ctx.settings, row), raw, signature)
    await require(ctx, BUDGET, f"tenant:{row.tenant_id}")
    if not row.is_active:
        return {"ok": True, "accepted": False, "reason": "inactive"}, 200
    async with ctx.unit_of_work(system=True) as uow:
        if email.messageId:
            existing = await uow.session.scalar(
                select(InboxEmail.id).where(
                    InboxEmail.tenant_id == row.tenant_id, InboxEmail.message_id == email.messageId
                )
            )
            if existing is not None:
                return {"ok": True, "accepted": False, "duplicate": True, "emailId": str(existing)}, 200
        stored = await receive(
            ctx,
            uow,
            tenant_id=row.tenant_id,
            organization_id=row.organization_id,
            from_address=email.from_,
            from_name=email.fromName,
            subject=email.subject,
            text_body=email.text,
            to_address=email.to,
            message_id=email.messageId,
        )
        return {"ok": True, "accepted": True, "emailId": str(stored.id), "status": stored.status}, 202

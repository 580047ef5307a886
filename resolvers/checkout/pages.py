"""The public pay pages (no sign-in; the slug names the link, so they run as system work and answer
only what the page shows) and the staff preview of a template.

- ``GET /checkout/pay/{slug}``: the page; a password-protected one shows only its title until the
  payer passes ``accessToken`` from ``verify-password``.
- ``POST .../verify-password``: checks the password against its argon2 hash; after 5 failures in 5
  minutes from one client address on one link, every attempt there answers 429. The access token
  (an HMAC of the link and its current password hash, valid ``ACCESS_TTL``) stops working when the
  password changes.
- ``submit`` and ``status``: ``resolvers.checkout.submit``.

Unknown, inactive, expired and used-up links answer 404 alike.
"""

from __future__ import annotations

import hmac
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import or_, select

from crmgraph.context import RequestContext
from crmgraph.errors import NotFound, TooManyRequests, Unauthorized
from crmgraph.security import consent_digest, verify_password
from models.checkout import CheckoutLink
from models.directory import Tenant
from resolvers.checkout.entities import CHECKOUT_TEMPLATE, MODULE, VIEW
from resolvers.crud import service
from resolvers.entity import to_jsonable
from resolvers.operations import Rest, operation
from resolvers.ratelimits import Budget, exhausted, require, spend
from resolvers.validation import text

ACCESS_TTL = 3600
VERIFY = Budget("checkout.verify-password", 5, 300)  # failed attempts per client address and link
PAGES = Budget("checkout.pay-page", 120, 60)


class CheckoutPayPage(BaseModel):
    """What a pay page shows (only ``slug``, ``title`` and ``requiresPassword`` until unlocked)."""

    slug: str | None = None
    title: str
    requiresPassword: bool
    unlocked: bool
    description: str | None = None
    amount: Decimal | None = None
    currencyCode: str | None = None
    allowCustomAmount: bool | None = None
    minAmount: Decimal | None = None
    maxAmount: Decimal | None = None
    providerKey: str | None = None
    templateId: str | None = None


def page_body(row: Any, *, slug: str | None, locked: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "slug": slug,
        "title": row.title,
        "requiresPassword": bool(getattr(row, "password_protected", False)),
        "unlocked": not locked,
    }
    if locked:
        return body
    return {
        **body,
        "description": row.description,
        "amount": to_text(row.amount),
        "currencyCode": row.currency_code,
        "allowCustomAmount": row.allow_custom_amount,
        "minAmount": to_text(row.min_amount),
        "maxAmount": to_text(row.max_amount),
        "providerKey": row.provider_key,
    }


def to_text(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def _live(now: datetime) -> list[Any]:
    return [
        CheckoutLink.deleted_at.is_(None),
        CheckoutLink.is_active.is_(True),
        or_(CheckoutLink.expires_at.is_(None), CheckoutLink.expires_at > now),
        or_(CheckoutLink.max_uses.is_(None), CheckoutLink.use_count < CheckoutLink.max_uses),
        Tenant.is_active.is_(True),
        Tenant.deleted_at.is_(None),
    ]


async def find_link(session: Any, slug: str, *, lock: bool = False) -> CheckoutLink:
    query = (
        select(CheckoutLink)
        .join(Tenant, Tenant.id == CheckoutLink.tenant_id)
        .where(CheckoutLink.slug == slug.lower(), *_live(datetime.now(UTC)))
    )
    link = await session.scalar(query.with_for_update(of=CheckoutLink) if lock else query)
    if link is None:
        raise NotFound()
    return link


def access_token(ctx: RequestContext, link: CheckoutLink, expires: int) -> str:
    return (
        f"{expires}.{consent_digest(ctx.settings, 'checkout-access', link.id, link.password_hash, expires)}"
    )


def unlocked(ctx: RequestContext, link: CheckoutLink, token: str | None) -> bool:
    if not link.password_protected:
        return True
    expires, _, _digest = (token or "").partition(".")
    if not expires.isdigit() or int(expires) < time.time():
        return False
    return hmac.compare_digest(access_token(ctx, link, int(expires)), token or "")


class CheckoutPageInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    slug: text(100)
    accessToken: text(200) | None = None


@operation(
    "checkout_pay_page",
    MODULE,
    kind="query",
    input=CheckoutPageInput,
    output=CheckoutPayPage,
    auth=False,
    rest=Rest("GET", "/checkout/pay/{slug}"),
)
async def pay_page(ctx: RequestContext, data: CheckoutPageInput) -> dict[str, Any]:
    """A pay page by its slug (public)."""
    await require(ctx, PAGES)
    async with ctx.read_session(system=True) as session:
        link = await find_link(session, data.slug)
    return page_body(link, slug=link.slug, locked=not unlocked(ctx, link, data.accessToken))


class CheckoutPasswordInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    slug: text(100)
    password: text(200)


class CheckoutAccessResult(BaseModel):
    ok: bool
    accessToken: str
    expiresAt: str


@operation(
    "verify_checkout_password",
    MODULE,
    input=CheckoutPasswordInput,
    output=CheckoutAccessResult,
    auth=False,
    transaction=False,  # reads only
    rest=Rest("POST", "/checkout/pay/{slug}/verify-password"),
)
async def verify(ctx: RequestContext, data: CheckoutPasswordInput) -> dict[str, Any]:
    """Unlock a password-protected page: an access token for ``accessToken`` (401 for a wrong
    password, 429 after too many attempts)."""
    subject = f"{ctx.client_ip}:{data.slug.lower()}"
    if await exhausted(ctx, VERIFY, subject):
        raise TooManyRequests()
    async with ctx.read_session(system=True) as session:
        link = await find_link(session, data.slug)
    if link.password_protected and not verify_password(link.password_hash, data.password):
        await spend(ctx, VERIFY, subject)
        raise Unauthorized("Invalid password")
    expires = int(time.time()) + ACCESS_TTL
    return {
        "ok": True,
        "accessToken": access_token(ctx, link, expires),
        "expiresAt": to_jsonable(datetime.fromtimestamp(expires, UTC)),
    }


class CheckoutTemplateRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: text(64)


@operation(
    "preview_checkout_template",
    MODULE,
    kind="query",
    input=CheckoutTemplateRef,
    output=CheckoutPayPage,
    features=(VIEW,),
    rest=Rest("GET", "/checkout/templates/{id}/preview"),
)
async def preview(ctx: RequestContext, data: CheckoutTemplateRef) -> dict[str, Any]:
    """The pay page a link made from this template would show."""
    template = await service(CHECKOUT_TEMPLATE).get(ctx, data.id, check=False)
    return {**page_body(template, slug=None, locked=False), "templateId": str(template.id)}

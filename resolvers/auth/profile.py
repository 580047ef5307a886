"""Signed-in user's own data: profile, locale, sidebar preferences, admin navigation, consents."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import delete, select

from crmgraph.context import RequestContext
from crmgraph.errors import Unauthorized, ValidationFailed, issue
from crmgraph.security import consent_digest, hash_password, verify_password
from models.auth import Role, SidebarPreference, User, UserConsent
from resolvers.auth.entities import (
    MIN_PASSWORD,
    ROLE,
    USER,
    _validate_email,
    check_email,
    revoke_user_sessions,
)
from resolvers.crud import service
from resolvers.entity import ENTITIES
from resolvers.events import record_action
from resolvers.scope import parse_uuid
from resolvers.validation import text, validate

LOCALES = ["en", "pl", "de", "es"]
DEFAULT_LOCALE = "en"


def _user_id(ctx: RequestContext) -> uuid.UUID:
    principal = ctx.require_auth()
    if principal.user_id is None:  # API keys have no profile
        raise Unauthorized()
    return principal.user_id


async def get_profile(ctx: RequestContext) -> dict[str, Any]:
    principal = ctx.require_auth()
    _user_id(ctx)
    return {"email": principal.email, "roles": principal.roles}


class ProfileInput(BaseModel):
    email: str | None = Field(default=None, max_length=320)
    password: str | None = Field(default=None, max_length=200)
    currentPassword: str | None = None


async def put_profile(ctx: RequestContext, raw: Any) -> dict[str, Any]:
    """Change own email and/or password; a new password needs the current one."""
    data = validate(ProfileInput, raw)
    user_id = _user_id(ctx)
    async with ctx.unit_of_work(system=True) as uow:  # own rows, by user id
        user = await uow.session.scalar(select(User).where(User.id == user_id).with_for_update())
        before = {"email": user.email}
        if data.email and data.email != user.email:
            user.email = _validate_email(data.email)
            await check_email(ctx, user.email, user.id)
        if data.password:
            if len(data.password) < MIN_PASSWORD:
                raise ValidationFailed(
                    [issue("password", f"At least {MIN_PASSWORD} characters", "too_small")]
                )
            if not verify_password(user.password_hash, data.currentPassword or ""):
                raise ValidationFailed([issue("currentPassword", "Current password is incorrect", "invalid")])
            user.password_hash = hash_password(data.password)
            # Other devices lose their sessions; the one making the change stays signed in.
            await revoke_user_sessions(uow, user.id, keep=ctx.require_auth().session_id)
        record_action(
            ctx,
            uow,
            command_id="auth.profile.update",
            label="Update profile",
            resource_kind="auth.user",
            resource_id=user.id,
            before=before,
            after={"email": user.email},
            tenant_id=user.tenant_id,
        )
    return {"ok": True, "email": user.email}


def locale_payload(locale: str | None) -> dict[str, Any]:
    return {"locale": locale if locale in LOCALES else DEFAULT_LOCALE, "available": LOCALES}


async def set_locale(ctx: RequestContext, raw: Any) -> dict[str, Any]:
    locale = raw.get("locale") if isinstance(raw, dict) else None
    if locale not in LOCALES:
        raise ValidationFailed([issue("locale", f"One of {', '.join(LOCALES)}", "invalid_enum_value")])
    principal = ctx.principal
    if principal is not None and principal.user_id is not None:
        async with ctx.unit_of_work(system=True) as uow:  # own rows, by user id
            user = await uow.session.get(User, principal.user_id)
            if user is not None:
                user.locale = locale
    return {"ok": True, "locale": locale}


# --- sidebar preferences -------------------------------------------------------------------


class SidebarSettings(BaseModel):
    version: int = 1
    groupOrder: list[str] = []
    groupLabels: dict[str, str] = {}
    itemLabels: dict[str, str] = {}
    hiddenItems: list[str] = []


class SidebarInput(BaseModel):
    locale: text(16) | None = None  # type: ignore[valid-type]
    settings: SidebarSettings | None = None
    applyToRoles: list[str] = []
    clearRoleIds: list[str] = []


def _settings(pref: SidebarPreference | None) -> dict[str, Any]:
    return SidebarSettings.model_validate(pref.settings if pref else {}).model_dump()


async def _manageable_roles(ctx: RequestContext, session: Any) -> list[Role]:
    principal = ctx.require_auth()
    if not principal.has("auth.sidebar.manage"):
        return []
    query = select(Role).where(Role.deleted_at.is_(None), Role.tenant_id == principal.tenant_id)
    return list((await session.execute(query.order_by(Role.name))).scalars())


async def get_sidebar(ctx: RequestContext) -> dict[str, Any]:
    user_id = _user_id(ctx)
    async with ctx.read_session(system=True) as session:  # own rows, by user id
        pref = await session.scalar(select(SidebarPreference).where(SidebarPreference.user_id == user_id))
        roles = await _manageable_roles(ctx, session)
        with_pref = set(
            (
                await session.execute(
                    select(SidebarPreference.role_id).where(
                        SidebarPreference.role_id.in_([r.id for r in roles])
                    )
                )
            ).scalars()
        )
    return {
        "locale": (pref.locale if pref and pref.locale else DEFAULT_LOCALE),
        "settings": _settings(pref),
        "canApplyToRoles": ctx.require_auth().has("auth.sidebar.manage"),
        "roles": [{"id": str(r.id), "name": r.name, "hasPreference": r.id in with_pref} for r in roles],
    }


async def put_sidebar(ctx: RequestContext, raw: Any) -> dict[str, Any]:
    data = validate(SidebarInput, raw)
    user_id = _user_id(ctx)
    principal = ctx.require_auth()
    settings = (data.settings or SidebarSettings()).model_dump()
    applied: list[str] = []
    cleared: list[str] = []
    async with ctx.unit_of_work(system=True) as uow:  # own rows, by user id
        pref = await uow.session.scalar(select(SidebarPreference).where(SidebarPreference.user_id == user_id))
        if pref is None:
            pref = SidebarPreference(id=uuid.uuid4(), user_id=user_id, tenant_id=principal.tenant_id)
            uow.session.add(pref)
        pref.settings = settings
        pref.locale = data.locale or pref.locale
        if data.applyToRoles or data.clearRoleIds:
            manageable = {str(r.id): r for r in await _manageable_roles(ctx, uow.session)}
            wanted = [*data.applyToRoles, *data.clearRoleIds]
            unknown = [r for r in wanted if r not in manageable]
            if unknown:
                raise ValidationFailed(
                    [issue("applyToRoles", f"Role not manageable: {r}", "forbidden") for r in unknown]
                )
            for role_id in data.applyToRoles:
                await uow.session.execute(
                    delete(SidebarPreference).where(SidebarPreference.role_id == role_id)
                )
                uow.session.add(
                    SidebarPreference(
                        id=uuid.uuid4(),
                        role_id=parse_uuid(role_id),
                        tenant_id=principal.tenant_id,
                        settings=settings,
                        locale=pref.locale,
                    )
                )
                applied.append(role_id)
            for role_id in data.clearRoleIds:
                await uow.session.execute(
                    delete(SidebarPreference).where(SidebarPreference.role_id == role_id)
                )
                cleared.append(role_id)
    body = await get_sidebar(ctx)
    return {**body, "appliedRoles": applied, "clearedRoles": cleared}


# --- navigation ----------------------------------------------------------------------------


async def admin_nav(ctx: RequestContext) -> dict[str, Any]:
    """Backend menu: one group per module, one item per listable entity the caller may view."""
    principal = ctx.require_auth()
    groups: dict[str, dict[str, Any]] = {}
    for entity in ENTITIES.values():
        if not entity.path or "GET" not in entity.rest_verbs or not principal.has(*entity.features.view):
            continue
        title = entity.plural.replace("_", " ").title()
        group = groups.setdefault(
            entity.module,
            {"id": entity.module, "name": entity.module.replace("_", " ").title(), "items": []},
        )
        group["defaultName"] = group["name"]
        group["items"].append(
            {"href": f"/backend{entity.path}", "title": title, "defaultTitle": title, "enabled": True}
        )
    settings = (await get_sidebar(ctx))["settings"] if principal.user_id else SidebarSettings().model_dump()
    hidden = set(settings["hiddenItems"])
    order = {gid: i for i, gid in enumerate(settings["groupOrder"])}
    result = []
    for gid, group in sorted(groups.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])):
        group["name"] = settings["groupLabels"].get(gid, group["name"])
        for item in group["items"]:
            item["title"] = settings["itemLabels"].get(item["href"], item["title"])
            item["enabled"] = item["href"] not in hidden
        result.append(group)
    return {"groups": result}


# --- consents ------------------------------------------------------------------------------


async def user_consents(ctx: RequestContext, user_id: Any) -> dict[str, Any]:
    ident = parse_uuid(user_id)
    if ident is None:
        raise ValidationFailed([issue("userId", "userId must be a UUID", "invalid_string")])
    user = await service(USER).get(ctx, ident, check=False)
    async with ctx.read_session() as session:
        rows = (
            await session.execute(
                select(UserConsent).where(UserConsent.user_id == user.id).order_by(UserConsent.created_at)
            )
        ).scalars()
        items = [
            {
                "id": str(c.id),
                "consentType": c.consent_type,
                "isGranted": c.is_granted,
                "source": c.source,
                "createdAt": c.created_at.isoformat(),
                "integrityValid": c.integrity_hash
                == consent_digest(ctx.settings, c.id, c.user_id, c.consent_type, c.is_granted),
            }
            for c in rows
        ]
    return {"items": items, "userId": str(user.id)}


__all__ = ["ROLE", "USER"]

"""The insurance settings of the selected organization, one JSON document per key, validated:
insurer / lead / policy status dictionaries, policy list colour rules and the protection catalog.

Each setting is declared once in ``SETTINGS``; from it come ``GET`` and ``PUT
/insurance/config-<name>`` and the matching GraphQL query and mutation. Reads need the view feature
of the records the setting governs, writes their manage feature.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext
from crmgraph.errors import ValidationFailed, issue
from models.insurance import InsuranceSetting
from resolvers.crud import flush_or_conflict
from resolvers.customers.settings import selected_organization
from resolvers.events import record_command
from resolvers.operations import Rest, operation
from resolvers.validation import BoundedInt

MODULE = "insurance"
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def _slug(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError("Lowercase letters, digits, '-' and '_' only")
    return value


def _color(value: str) -> str:
    if not COLOR.match(value):
        raise ValueError("A hex colour such as #1e88e5")
    return value


Slug = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), AfterValidator(_slug)
]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Color = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_color)]
Note = Annotated[str, StringConstraints(max_length=2000)]


def _unique(values: list[str], path: str) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise ValidationFailed([issue(f"{path}.{index}", f"Duplicate value {value!r}", "duplicate")])
        seen.add(value)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InsuranceStatusOption(_Strict):
    value: Slug
    label: Label
    color: Color | None = None
    isDefault: bool = False


class InsuranceStatusConfig(_Strict):
    """A status dictionary: unique values, at most one default."""

    statuses: list[InsuranceStatusOption] = PydanticField(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _consistent(self) -> InsuranceStatusConfig:
        _unique([s.value for s in self.statuses], "statuses")
        if sum(s.isDefault for s in self.statuses) > 1:
            raise ValueError("At most one default status")
        return self

    def default(self) -> str:
        return next((s.value for s in self.statuses if s.isDefault), self.statuses[0].value)

    def values(self) -> list[str]:
        return [s.value for s in self.statuses]


class InsurancePolicyColorRule(_Strict):
    """Colour a policy row when every condition given holds (at least one is required)."""

    color: Color
    label: Label | None = None
    statuses: list[Slug] | None = PydanticField(default=None, max_length=50)
    expired: bool | None = None
    expiresWithinDays: Annotated[int, PydanticField(ge=0, le=3650)] | None = None

    @model_validator(mode="after")
    def _has_condition(self) -> InsurancePolicyColorRule:
        if not self.statuses and self.expired is None and self.expiresWithinDays is None:
            raise ValueError("A rule needs statuses, expired or expiresWithinDays")
        return self


class InsurancePolicyColorRules(_Strict):
    rules: list[InsurancePolicyColorRule] = PydanticField(max_length=50)


class InsuranceProtection(_Strict):
    code: Slug
    label: Label
    description: Note | None = None
    category: Label | None = None
    isActive: bool = True
    sortOrder: BoundedInt | None = None


class InsuranceProtectionCatalog(_Strict):
    items: list[InsuranceProtection] = PydanticField(max_length=500)

    @model_validator(mode="after")
    def _unique_codes(self) -> InsuranceProtectionCatalog:
        _unique([item.code for item in self.items], "items")
        return self


def _statuses(*pairs: tuple[str, str]) -> dict[str, Any]:
    return {
        "statuses": [
            {"value": value, "label": label, "color": None, "isDefault": index == 0}
            for index, (value, label) in enumerate(pairs)
        ]
    }


@dataclass(frozen=True)
class Setting:
    key: str
    slug: str  # REST path: /insurance/config-<slug>
    model: type[BaseModel]
    default: dict[str, Any]
    view: str
    manage: str


SETTINGS = (
    Setting(
        "insurer_status",
        "insurer-status",
        InsuranceStatusConfig,
        _statuses(("active", "Active"), ("inactive", "Inactive")),
        "insurance.insurers.view",
        "insurance.insurers.manage",
    ),
    Setting(
        "lead_status",
        "lead-status",
        InsuranceStatusConfig,
        _statuses(
            ("new", "New"),
            ("contacted", "Contacted"),
            ("qualified", "Qualified"),
            ("converted", "Converted"),
            ("rejected", "Rejected"),
        ),
        "insurance.leads.view",
        "insurance.leads.manage",
    ),
    Setting(
        "policy_status",
        "policy-status",
        InsuranceStatusConfig,
        _statuses(
            ("active", "Active"), ("draft", "Draft"), ("expired", "Expired"), ("cancelled", "Cancelled")
        ),
        "insurance.policies.view",
        "insurance.policies.manage",
    ),
    Setting(
        "policy_list_color_rules",
        "policy-list-color-rules",
        InsurancePolicyColorRules,
        {
            "rules": [
                {"color": "#e53935", "label": "Expired", "expired": True},
                {"color": "#fb8c00", "label": "Expires within 30 days", "expiresWithinDays": 30},
            ]
        },
        "insurance.policies.view",
        "insurance.policies.manage",
    ),
    Setting(
        "protection_catalog",
        "protection-catalog",
        InsuranceProtectionCatalog,
        {
            "items": [
                {"code": "oc", "label": "Third-party liability (OC)", "category": "mandatory"},
                {"code": "ac", "label": "Comprehensive (AC)", "category": "optional"},
                {"code": "nnw", "label": "Personal accident (NNW)", "category": "optional"},
                {"code": "assistance", "label": "Assistance", "category": "optional"},
            ]
        },
        "insurance.policies.view",
        "insurance.policies.manage",
    ),
)
BY_KEY = {setting.key: setting for setting in SETTINGS}


async def _stored(session: Any, setting: Setting, tenant_id: Any, org_id: Any) -> Any:
    return await session.scalar(
        select(InsuranceSetting).where(
            InsuranceSetting.tenant_id == tenant_id,
            InsuranceSetting.organization_id == org_id,
            InsuranceSetting.key == setting.key,
        )
    )


async def read_setting(
    ctx: RequestContext, key: str, organization_id: uuid.UUID | None = None, session: Any = None
) -> BaseModel:
    """The setting ``key`` of an organization (the selected one by default), or its default."""
    setting = BY_KEY[key]
    if organization_id is None:
        tenant_id, organization_id = await selected_organization(ctx)
    else:
        tenant_id = ctx.tenant_id()
    if session is None:
        async with ctx.read_session() as own:
            row = await _stored(own, setting, tenant_id, organization_id)
    else:
        row = await _stored(session, setting, tenant_id, organization_id)
    return setting.model.model_validate(row.value if row is not None else setting.default)


async def write_setting(ctx: RequestContext, setting: Setting, document: BaseModel) -> dict[str, Any]:
    """Store the validated document for the selected organization (one action-log entry)."""
    tenant_id, org_id = await selected_organization(ctx)
    value = document.model_dump(mode="json")
    async with ctx.unit_of_work() as uow:
        row = await _stored(uow.session, setting, tenant_id, org_id)
        before = row.value if row is not None else None
        if row is None:
            row = InsuranceSetting(
                id=uuid.uuid4(), tenant_id=tenant_id, organization_id=org_id, key=setting.key
            )
            uow.session.add(row)
        row.value = value
        await flush_or_conflict(uow)
        record_command(
            ctx,
            uow,
            module=MODULE,
            entity="settings",
            verb="update",
            event="updated",
            resource_id=row.id,
            tenant_id=tenant_id,
            organization_id=org_id,
            before=before,
            after=value,
        )
    return value


async def check_status(
    ctx: RequestContext, session: Any, key: str, data: dict[str, Any], organization_id: Any, *, creating: bool
) -> None:
    """A ``status`` being written must be one of the organization's configured values; a record
    created without one gets the configured default."""
    config = await read_setting(ctx, key, organization_id, session)
    if data.get("status") is None:
        if creating:
            data["status"] = config.default()
        return
    if data["status"] not in config.values():
        allowed = ", ".join(config.values())
        raise ValidationFailed([issue("status", f"Unknown status; one of {allowed}", "invalid_enum_value")])


def _declare(setting: Setting) -> None:
    path = f"/insurance/config-{setting.slug}"
    name = f"insurance_{setting.key}_config"
    title = setting.key.replace("_", " ")
    # Input types are named per setting (three settings share the status dictionary shape).
    body = type(
        "Insurance" + "".join(part.title() for part in setting.key.split("_")) + "Input", (setting.model,), {}
    )

    async def get_setting(ctx: RequestContext) -> dict[str, Any]:
        ctx.require_features([setting.view])
        return (await read_setting(ctx, setting.key)).model_dump(mode="json")

    async def put_setting(ctx: RequestContext, document: BaseModel) -> dict[str, Any]:
        ctx.require_features([setting.manage])
        return await write_setting(ctx, setting, document)

    operation(
        name,
        MODULE,
        kind="query",
        output=setting.model,
        rest=Rest("GET", path),
        description=f"The {title} setting of the selected organization (defaults until set).",
    )(get_setting)
    operation(
        f"set_{name}",
        MODULE,
        input=body,
        output=setting.model,
        rest=Rest("PUT", path),
        transaction=False,
        description=f"Replace the {title} setting of the selected organization (validated).",
    )(put_setting)


for _setting in SETTINGS:
    _declare(_setting)

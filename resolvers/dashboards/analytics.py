"""``widgets/data``: aggregations (count/sum/avg/min/max, optionally grouped by a field or a date
bucket, within a date range, compared with the previous period) over an allow-list of entities and
fields, in the caller's scope; and ``crm/kpis``, a fixed set of such aggregations.

Nothing from the request reaches SQL but values: entity types and field names are looked up in the
declared :data:`SOURCES`, which map them to columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import func, literal, select

from crmgraph.context import RequestContext
from crmgraph.errors import ValidationFailed, issue
from crmgraph.timefmt import format_datetime
from resolvers.cases.cases import CASE
from resolvers.customers.deals import DEAL
from resolvers.customers.interactions import INTERACTION
from resolvers.customers.people import COMPANY, PERSON
from resolvers.dashboards import outputs as out
from resolvers.entity import Entity, camel
from resolvers.operations import Rest, operation
from resolvers.scope import entity_conditions
from resolvers.validation import SafeDatetime, coerce, text

Aggregate = Literal["count", "sum", "avg", "min", "max"]
Granularity = Literal["day", "week", "month", "quarter", "year"]
Preset = Literal[
    "today",
    "yesterday",
    "last7days",
    "last30days",
    "last90days",
    "thisMonth",
    "lastMonth",
    "thisYear",
    "lastYear",
]


@dataclass(frozen=True)
class Source:
    """An entity open to aggregation: which fields may be measured, grouped by and ranged over."""

    entity_type: str
    entity: Entity
    measures: tuple[str, ...] = ()
    dimensions: tuple[str, ...] = ()
    dates: tuple[str, ...] = ("created_at",)
    extra_features: tuple[str, ...] = ()
    columns: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for attr in ("id", *self.measures, *self.dimensions, *self.dates):
            self.columns[camel(attr)] = getattr(self.entity.model, attr)

    @property
    def features(self) -> tuple[str, ...]:
        return (*self.entity.features.view, *self.extra_features)

    def column(self, name: str, kinds: tuple[str, ...], path: str) -> Any:
        allowed = {camel(a) for kind in kinds for a in (["id"] if kind == "id" else getattr(self, kind))}
        if name not in allowed:
            raise ValidationFailed(
                [issue(path, f"One of {', '.join(sorted(allowed))}", "invalid_enum_value")]
            )
        return self.columns[name]


SOURCES: dict[str, Source] = {
    s.entity_type: s
    for s in (
        Source(
            "customers:deal",
            DEAL,
            measures=("value_amount", "probability"),
            dimensions=(
                "status",
                "pipeline_stage",
                "pipeline_stage_id",
                "value_currency",
                "owner_user_id",
                "source",
            ),
            dates=("created_at", "expected_close_at", "updated_at"),
        ),
        Source(
            "customers:person", PERSON, dimensions=("status", "lifecycle_stage", "source", "owner_user_id")
        ),
        Source(
            "customers:company", COMPANY, dimensions=("status", "lifecycle_stage", "source", "owner_user_id")
        ),
        Source(
            "customers:interaction",
            INTERACTION,
            measures=("priority",),
            dimensions=("status", "interaction_type", "owner_user_id"),
            dates=("created_at", "scheduled_at", "occurred_at"),
        ),
        Source(
            "cases:case",
            CASE,
            dimensions=("status_value", "priority", "owner_user_id", "customer_entity_id"),
            dates=("created_at", "opened_at", "closed_at"),
        ),
    )
}


class AggregationMetric(BaseModel):
    field: text(100)
    aggregate: Aggregate = "count"


class AggregationGroupBy(BaseModel):
    field: text(100)
    granularity: Granularity | None = None
    limit: int = PydanticField(20, ge=1, le=100)


class AggregationDateRange(BaseModel):
    field: text(100) | None = None
    preset: Preset | None = None
    start: SafeDatetime | None = None
    end: SafeDatetime | None = None


class AggregationFilter(BaseModel):
    field: text(100)
    operator: Literal["eq", "neq", "in", "not_in", "is_null", "not_null"] = "eq"
    value: Any = None


class DataInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    entityType: text(100)
    metric: AggregationMetric
    groupBy: AggregationGroupBy | None = None
    dateRange: AggregationDateRange | None = None
    filters: list[AggregationFilter] = PydanticField(default_factory=list, max_length=20)
    comparison: dict[str, Any] | None = None  # {"type": "previous_period"}


def preset_range(preset: str, now: datetime) -> tuple[datetime, datetime]:
    """``[start, end)`` of a named range, in UTC."""
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    month = day.replace(day=1)
    year = month.replace(month=1)
    last_month = (month - timedelta(days=1)).replace(day=1)
    return {
        "today": (day, day + timedelta(days=1)),
        "yesterday": (day - timedelta(days=1), day),
        "last7days": (now - timedelta(days=7), now),
        "last30days": (now - timedelta(days=30), now),
        "last90days": (now - timedelta(days=90), now),
        "thisMonth": (month, now),
        "lastMonth": (last_month, month),
        "thisYear": (year, now),
        "lastYear": (year.replace(year=year.year - 1), year),
    }[preset]


def _source(ctx: RequestContext, name: str) -> Source:
    source = SOURCES.get(name)
    if source is None:
        raise ValidationFailed(
            [issue("entityType", f"One of {', '.join(sorted(SOURCES))}", "invalid_enum_value")]
        )
    ctx.require_features(source.features)
    return source


def _filter(source: Source, spec: AggregationFilter, index: int) -> Any:
    column = source.column(spec.field, ("id", "dimensions", "measures", "dates"), f"filters.{index}.field")
    values = spec.value if isinstance(spec.value, list) else [spec.value]
    if any(isinstance(v, dict | list) for v in values) or len(values) > 200:
        raise ValidationFailed([issue(f"filters.{index}.value", "Scalar values only", "invalid_type")])
    try:
        typed = [coerce(column.type.python_type, str(v)) if v is not None else None for v in values]
    except (TypeError, ValueError, NotImplementedError):
        raise ValidationFailed([issue(f"filters.{index}.value", "Invalid value", "invalid_type")]) from None
    return {
        "eq": lambda: column == typed[0],
        "neq": lambda: column.is_distinct_from(typed[0]),
        "in": lambda: column.in_(typed),
        "not_in": lambda: column.not_in(typed),
        "is_null": lambda: column.is_(None),
        "not_null": lambda: column.is_not(None),
    }[spec.operator]()


async def _conditions(ctx: RequestContext, source: Source, data: DataInput) -> list[Any]:
    conditions = await entity_conditions(ctx, source.entity)
    return conditions + [_filter(source, spec, i) for i, spec in enumerate(data.filters)]


def _window(source: Source, data: DataInput, now: datetime) -> tuple[Any, datetime | None, datetime | None]:
    if data.dateRange is None:
        return None, None, None
    rng = data.dateRange
    column = source.column(rng.field or "createdAt", ("dates",), "dateRange.field")
    start, end = preset_range(rng.preset, now) if rng.preset else (rng.start, rng.end)
    if start and end and start > end:
        raise ValidationFailed([issue("dateRange.start", "start must not be after end", "invalid_range")])
    return column, start, end


def _measure(source: Source, metric: AggregationMetric) -> Any:
    if metric.aggregate == "count":
        column = source.column(metric.field, ("id", "dimensions", "measures", "dates"), "metric.field")
        return func.count(column)
    column = source.column(metric.field, ("measures",), "metric.field")
    return {"sum": func.sum, "avg": func.avg, "min": func.min, "max": func.max}[metric.aggregate](column)


def _number(value: Any) -> float | int | None:
    if value is None:
        return None
    number = float(value)
    return int(number) if number.is_integer() else round(number, 4)


async def _total(
    ctx: RequestContext, source: Source, data: DataInput, bounds: tuple[Any, Any, Any]
) -> tuple[Any, int]:
    column, start, end = bounds
    conditions = await _conditions(ctx, source, data)
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    query = (
        select(_measure(source, data.metric), func.count())
        .select_from(source.entity.model)
        .where(*conditions)
    )
    async with ctx.read_session() as session:
        value, records = (await session.execute(query)).one()
    return _number(value), records


async def _groups(
    ctx: RequestContext, source: Source, data: DataInput, bounds: tuple[Any, Any, Any]
) -> list[dict[str, Any]]:
    group = data.groupBy
    assert group is not None
    column, start, end = bounds
    key = source.column(group.field, ("dimensions", "dates"), "groupBy.field")
    if group.granularity:
        if key not in [source.columns[camel(d)] for d in source.dates]:
            raise ValidationFailed([issue("groupBy.granularity", "Only for date fields", "invalid_type")])
        key = func.date_trunc(literal(group.granularity), func.timezone("UTC", key))
    conditions = await _conditions(ctx, source, data)
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    value = _measure(source, data.metric)
    query = (
        select(key.label("k"), value.label("v"))
        .select_from(source.entity.model)
        .where(*conditions)
        .group_by(key)
    )
    query = query.order_by(key.asc() if group.granularity else value.desc(), key.asc()).limit(group.limit)
    async with ctx.read_session() as session:
        rows = (await session.execute(query)).all()
    out = []
    for row in rows:
        group_key = format_datetime(row.k.replace(tzinfo=UTC)) if isinstance(row.k, datetime) else row.k
        group_key = (
            str(group_key)
            if group_key is not None and not isinstance(group_key, str | int | float)
            else group_key
        )
        out.append({"groupKey": group_key, "groupLabel": group_key, "value": _number(row.v)})
    return out


async def aggregate(ctx: RequestContext, data: DataInput) -> dict[str, Any]:
    """``{value, data, comparison?, metadata}`` of one aggregation request."""
    source = _source(ctx, data.entityType)
    now = datetime.now(UTC)
    bounds = _window(source, data, now)
    value, records = await _total(ctx, source, data, bounds)
    body: dict[str, Any] = {
        "value": value,
        "data": await _groups(ctx, source, data, bounds) if data.groupBy else [],
        "metadata": {"fetchedAt": format_datetime(now), "recordCount": records},
    }
    if data.comparison:
        column, start, end = bounds
        if start is None or end is None:
            raise ValidationFailed(
                [issue("comparison", "Needs a date range with a start and an end", "invalid_type")]
            )
        previous, _ = await _total(ctx, source, data, (column, start - (end - start), start))
        change = None if not previous or value is None else round((value - previous) / abs(previous) * 100, 2)
        direction = "unchanged" if value == previous else "up" if (value or 0) > (previous or 0) else "down"
        body["comparison"] = {"value": previous, "change": change, "direction": direction}
    return body


@operation(
    "dashboard_widget_data",
    "dashboards",
    output=out.AggregationResult,
    input=DataInput,
    kind="query",
    features=("analytics.view",),
    rest=Rest("POST", "/dashboards/widgets/data"),
)
async def widget_data(ctx: RequestContext, data: DataInput) -> dict[str, Any]:
    """Run one aggregation over an allowed entity (``entityType``) in the caller's scope; the
    entity's own view features are required too."""
    return await aggregate(ctx, data)


# id, label, request: each KPI is one aggregation; the ones whose entity the caller cannot see are left out.
KPIS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("people", "People", {"entityType": "customers:person", "metric": {"field": "id"}}),
    ("companies", "Companies", {"entityType": "customers:company", "metric": {"field": "id"}}),
    (
        "newCustomers30d",
        "New people (30 days)",
        {"entityType": "customers:person", "metric": {"field": "id"}, "dateRange": {"preset": "last30days"}},
    ),
    (
        "openDeals",
        "Open deals",
        {
            "entityType": "customers:deal",
            "metric": {"field": "id"},
            "filters": [{"field": "status", "operator": "not_in", "value": ["won", "lost"]}],
        },
    ),
    (
        "pipelineValue",
        "Pipeline value",
        {
            "entityType": "customers:deal",
            "metric": {"field": "valueAmount", "aggregate": "sum"},
            "filters": [{"field": "status", "operator": "not_in", "value": ["won", "lost"]}],
        },
    ),
    (
        "openCases",
        "Open cases",
        {
            "entityType": "cases:case",
            "metric": {"field": "id"},
            "filters": [{"field": "statusValue", "operator": "not_in", "value": ["resolved", "closed"]}],
        },
    ),
)


@operation(
    "dashboard_crm_kpis",
    "dashboards",
    output=out.CrmKpis,
    kind="query",
    features=("dashboards.view",),
    rest=Rest("GET", "/dashboards/crm/kpis"),
)
async def crm_kpis(ctx: RequestContext) -> dict[str, Any]:
    """Headline CRM figures in the caller's scope (only those over entities the caller may view)."""
    principal = ctx.require_auth()
    items = []
    for kpi_id, label, request in KPIS:
        data = DataInput.model_validate(request)
        if not principal.has(*SOURCES[data.entityType].features):
            continue
        value, _ = await _total(
            ctx, SOURCES[data.entityType], data, _window(SOURCES[data.entityType], data, datetime.now(UTC))
        )
        items.append({"id": kpi_id, "label": label, "value": value or 0})
    return {
        "items": items,
        "kpis": {item["id"]: item["value"] for item in items},
        "generatedAt": format_datetime(datetime.now(UTC)),
    }

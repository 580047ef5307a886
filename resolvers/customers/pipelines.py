"""Sales pipelines and their ordered stages (single default pipeline, in-use guards, bulk reorder)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import func, select, update

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, ValidationFailed, issue
from models.customers import Deal, Pipeline, PipelineStage
from resolvers.crud import guarded
from resolvers.customers.common import record_command
from resolvers.entity import Entity, Features, Field, Hooks, Relation, eq
from resolvers.operations import Rest, operation, pick
from resolvers.scope import ids_in_scope, load_in_scope

FEATURES = Features.view_manage("customers.pipelines.view", "customers.pipelines.manage")
READONLY = {"create": False, "update": False}


async def _live_deals(uow: UnitOfWork, column: Any, value: uuid.UUID) -> int:
    return await uow.session.scalar(
        select(func.count()).select_from(Deal).where(column == value, Deal.deleted_at.is_(None))
    )


async def _single_default(
    uow: UnitOfWork, pipeline_id: uuid.UUID | None, data: dict[str, Any], scope: dict
) -> None:
    """Only one default pipeline per organization: making one default clears the others."""
    if data.get("is_default"):
        query = update(Pipeline).where(
            Pipeline.tenant_id == scope["tenant_id"],
            Pipeline.organization_id == scope["organization_id"],
            Pipeline.deleted_at.is_(None),
            Pipeline.is_default.is_(True),
        )
        if pipeline_id is not None:
            query = query.where(Pipeline.id != pipeline_id)
        await uow.session.execute(query.values(is_default=False))


async def _pipeline_before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    if not (data.get("name") or "").strip():
        raise ValidationFailed([issue("name", "Name is required", "too_small")])
    await _single_default(uow, None, data, data)


async def _pipeline_before_update(
    ctx: RequestContext, uow: UnitOfWork, pipeline: Pipeline, data: dict
) -> None:
    if "name" in data and not (data["name"] or "").strip():
        raise ValidationFailed([issue("name", "Name is required", "too_small")])
    scope = {
        "tenant_id": pipeline.tenant_id,
        "organization_id": data.get("organization_id", pipeline.organization_id),
    }
    await _single_default(uow, pipeline.id, data, scope)


async def _pipeline_before_delete(ctx: RequestContext, uow: UnitOfWork, pipeline: Pipeline) -> None:
    if await _live_deals(uow, Deal.pipeline_id, pipeline.id):
        raise Conflict("Pipeline has active deals")
    await uow.session.execute(
        update(PipelineStage)
        .where(PipelineStage.pipeline_id == pipeline.id, PipelineStage.deleted_at.is_(None))
        .values(deleted_at=func.now())
    )


PIPELINE = Entity(
    name="pipeline",
    module="customers",
    model=Pipeline,
    path="/customers/pipelines",
    graphql_name="Pipeline",
    plural="pipelines",
    features=FEATURES,
    fields=[
        Field("name", str, required=True, sort=True, search=True, max_length=200),
        Field("is_default", bool, sort=True),
        Field("organization_id", uuid.UUID),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ],
    filters=[eq("isDefault", Pipeline.is_default, bool)],
    relations=[
        Relation("stages", "pipeline_stage", "many", target_fk="pipeline_id"),
        Relation("deals", "deal", "many", target_fk="pipeline_id"),
    ],
    default_sort="name",
    hooks=guarded(
        Pipeline,
        Hooks(
            before_create=_pipeline_before_create,
            before_update=_pipeline_before_update,
            before_delete=_pipeline_before_delete,
        ),
    ),
    description="A sales pipeline: an ordered list of stages deals move through.",
)


async def _stage_before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    if not (data.get("label") or "").strip():
        raise ValidationFailed([issue("label", "Label is required", "too_small")])
    pipeline = await load_in_scope(ctx, uow.session, Pipeline, data["pipeline_id"], "Pipeline")
    data["organization_id"] = pipeline.organization_id
    if data.get("order") is None:
        last = await uow.session.scalar(
            select(func.max(PipelineStage.order)).where(
                PipelineStage.pipeline_id == pipeline.id, PipelineStage.deleted_at.is_(None)
            )
        )
        data["order"] = 0 if last is None else last + 1


async def _stage_before_update(
    ctx: RequestContext, uow: UnitOfWork, stage: PipelineStage, data: dict
) -> None:
    if "label" in data and not (data["label"] or "").strip():
        raise ValidationFailed([issue("label", "Label is required", "too_small")])
    if data.get("pipeline_id") and data["pipeline_id"] != stage.pipeline_id:
        if await _live_deals(uow, Deal.pipeline_stage_id, stage.id):
            raise Conflict("Stage has active deals; it cannot move to another pipeline")
        await load_in_scope(ctx, uow.session, Pipeline, data["pipeline_id"], "Pipeline")
    if data.get("pipeline_id") is None:
        data.pop("pipeline_id", None)


async def _stage_after_update(ctx: RequestContext, uow: UnitOfWork, stage: PipelineStage, data: dict) -> None:
    """Deals keep the stage label denormalized (``pipelineStage``): follow a rename."""
    if "label" in data:
        await uow.session.execute(
            update(Deal).where(Deal.pipeline_stage_id == stage.id).values(pipeline_stage=stage.label)
        )


async def _stage_before_delete(ctx: RequestContext, uow: UnitOfWork, stage: PipelineStage) -> None:
    if await _live_deals(uow, Deal.pipeline_stage_id, stage.id):
        raise Conflict("Stage has active deals")


PIPELINE_STAGE = Entity(
    name="pipeline_stage",
    module="customers",
    model=PipelineStage,
    path="/customers/pipeline-stages",
    graphql_name="PipelineStage",
    plural="pipeline_stages",
    features=FEATURES,
    fields=[
        Field("pipeline_id", uuid.UUID, required=True),
        Field("label", str, required=True, sort=True, search=True, max_length=200),
        Field("order", int, sort=True),
        Field("color", str, max_length=32),
        Field("icon", str, max_length=64),
        Field("organization_id", uuid.UUID, update=False),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ],
    filters=[eq("pipelineId", PipelineStage.pipeline_id, uuid.UUID)],
    relations=[
        Relation("pipeline", "pipeline", "one", source_fk="pipeline_id"),
        Relation("deals", "deal", "many", target_fk="pipeline_stage_id"),
    ],
    default_sort="order",
    hooks=guarded(
        PipelineStage,
        Hooks(
            before_create=_stage_before_create,
            before_update=_stage_before_update,
            after_update=_stage_after_update,
            before_delete=_stage_before_delete,
        ),
    ),
    description="A stage of a pipeline; ``order`` sorts the stages of one pipeline.",
)


class StageOrder(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID
    order: int = PydanticField(ge=0)


class ReorderInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    stages: list[StageOrder] = PydanticField(min_length=1, max_length=500)


@operation(
    "reorder_pipeline_stages",
    "customers",
    input=ReorderInput,
    output=bool,
    features=tuple(FEATURES.update),
    rest=Rest("POST", "/customers/pipeline-stages/reorder"),
    graphql_result=pick("ok"),
)
async def reorder_stages(ctx: RequestContext, data: ReorderInput) -> dict[str, Any]:
    """Set ``order`` of many stages in one transaction; every id must be a stage in scope."""
    wanted = {item.id: item.order for item in data.stages}
    async with ctx.unit_of_work() as uow:
        await ids_in_scope(ctx, uow.session, PipelineStage, list(wanted), "Pipeline stage")
        stages = list(
            (
                await uow.session.execute(
                    select(PipelineStage).where(PipelineStage.id.in_(wanted)).with_for_update()
                )
            ).scalars()
        )
        before = {str(s.id): s.order for s in stages}
        for stage in stages:
            stage.order = wanted[stage.id]
        after = {str(s.id): s.order for s in stages}
        first = stages[0]
        record_command(
            ctx,
            uow,
            entity="pipeline_stage",
            verb="reordered",
            resource_id=first.pipeline_id,
            tenant_id=first.tenant_id,
            organization_id=first.organization_id,
            before=before,
            after=after,
            payload={"stages": after},
        )
    return {"ok": True}

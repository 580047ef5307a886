"""Blog pages: written by staff (GraphQL CRUD), readable by anyone once published.

``GET /example/blog/{id}`` serves a published page to anonymous readers (name, text and view count:
nothing that identifies the tenant); ``POST /example/blog/{id}`` counts a reader's view (once per
client address and hour). Both are rate limited per client address; a draft, a deleted page, an
unknown and a malformed id all answer the same 404.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select, update

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import NotFound, ValidationFailed, issue
from crmgraph.timefmt import format_datetime
from models.directory import Tenant
from models.example import ExampleBlogPost
from resolvers.crud import guarded
from resolvers.customers.tags import slugify
from resolvers.entity import Entity, Features, Field, Hooks, Relation, eq, serialize
from resolvers.events import record_command
from resolvers.operations import Rest, operation
from resolvers.ratelimits import Budget, require, spend
from resolvers.scope import parse_uuid
from resolvers.validation import text

STATUSES = ("draft", "published")
READONLY = {"create": False, "update": False}
READS = Budget("example:blog:read", 120, 60)  # page reads per client address and minute
VIEWS = Budget("example:blog:view", 30, 60)  # view registrations per client address and minute
UNIQUE_VIEW = Budget("example:blog:seen", 1, 3600)  # a client counts once per page and hour


def _normalize(data: dict[str, Any], post: ExampleBlogPost | None = None) -> None:
    if data.get("status") is not None and data["status"] not in STATUSES:
        raise ValidationFailed([issue("status", "draft or published", "invalid_enum_value")])
    if "title" in data and data["title"] is not None and not data["title"].strip():
        raise ValidationFailed([issue("title", "Must not be blank", "too_small")])
    if data.get("slug") is not None:
        data["slug"] = slugify(data["slug"])
    status = data.get("status") or (post.status if post else "draft")
    if status == "published" and (post is None or post.status != "published"):
        data["published_at"] = datetime.now(UTC)
    elif status == "draft":
        data["published_at"] = None
    data["status"] = status


async def _before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _normalize(data)
    data["slug"] = data.get("slug") or slugify(data["title"])
    data["author_user_id"] = ctx.require_auth().user_id


async def _before_update(ctx: RequestContext, uow: UnitOfWork, post: ExampleBlogPost, data: dict) -> None:
    _normalize(data, post)


BLOG_POST = Entity(
    name="example_blog_post",
    module="example",
    model=ExampleBlogPost,
    path=None,  # managed through GraphQL; readers use the public REST routes
    graphql_name="ExampleBlogPost",
    plural="example_blog_posts",
    features=Features(
        view=["example.view"],
        create=["example.blog.manage"],
        update=["example.blog.manage"],
        delete=["example.blog.manage"],
    ),
    fields=[
        Field("title", str, required=True, sort=True, search=True, max_length=300),
        Field("slug", str, search=True, max_length=200),
        Field("body", str, search=True, max_length=100_000),
        Field("status", str, sort=True, max_length=20, description="draft or published"),
        Field("published_at", datetime, sort=True, **READONLY),
        Field("view_count", int, sort=True, **READONLY),
        Field("author_user_id", uuid.UUID, **READONLY),
        Field("organization_id", uuid.UUID, update=False),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ],
    filters=[eq("status", ExampleBlogPost.status), eq("slug", ExampleBlogPost.slug)],
    relations=[Relation("author", "user", "one", source_fk="author_user_id", description="Who wrote it.")],
    default_sort="created_at",
    hooks=guarded(ExampleBlogPost, Hooks(before_create=_before_create, before_update=_before_update)),
    description="A blog page; published pages are public (GET /api/example/blog/{id}).",
)


class BlogPageInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: text(200)


class BlogPage(BaseModel):
    """A published blog page as anonymous readers see it."""

    model_config = ConfigDict(title="ExampleBlogPage")
    id: str
    method: str
    title: str
    slug: str
    body: str | None = None
    publishedAt: str | None = None
    views: int


def _published(ident: uuid.UUID) -> Any:
    return (
        select(ExampleBlogPost)
        .join(Tenant, Tenant.id == ExampleBlogPost.tenant_id)
        .where(
            ExampleBlogPost.id == ident,
            ExampleBlogPost.status == "published",
            ExampleBlogPost.deleted_at.is_(None),
            Tenant.is_active.is_(True),
            Tenant.deleted_at.is_(None),
        )
    )


def _page(post: ExampleBlogPost, method: str) -> dict[str, Any]:
    return {
        "id": str(post.id),
        "method": method,
        "title": post.title,
        "slug": post.slug,
        "body": post.body,
        "publishedAt": format_datetime(post.published_at) if post.published_at else None,
        "views": post.view_count,
    }


@operation(
    "published_blog_post",
    "example",
    input=BlogPageInput,
    output=BlogPage,
    kind="query",
    auth=False,
    rest=Rest("GET", "/example/blog/{id}"),
)
async def published_blog_post(ctx: RequestContext, data: BlogPageInput) -> dict[str, Any]:
    """A published blog page by id (public; 404 for drafts, deleted and unknown pages)."""
    await require(ctx, READS)
    ident = parse_uuid(data.id)
    if ident is None:
        raise NotFound()
    async with ctx.read_session(system=True) as session:  # anonymous readers: any tenant's page
        post = await session.scalar(_published(ident))
    if post is None:
        raise NotFound()
    return _page(post, "GET")


@operation(
    "record_blog_post_view",
    "example",
    input=BlogPageInput,
    output=BlogPage,
    auth=False,
    transaction=False,  # a system unit of work: the reader has no tenant
    rest=Rest("POST", "/example/blog/{id}"),
)
async def record_blog_post_view(ctx: RequestContext, data: BlogPageInput) -> dict[str, Any]:
    """Count a reader's view of a published page (once per client address and hour; public)."""
    await require(ctx, VIEWS)
    ident = parse_uuid(data.id)
    if ident is None:
        raise NotFound()
    async with ctx.unit_of_work(system=True) as uow:
        post = await uow.session.scalar(_published(ident).with_for_update(of=ExampleBlogPost))
        if post is None:
            raise NotFound()
        if await spend(ctx, UNIQUE_VIEW, f"{post.id}:{ctx.client_ip}"):
            before = serialize(BLOG_POST, post)
            await uow.session.execute(
                update(ExampleBlogPost)
                .where(ExampleBlogPost.id == post.id)
                .values(view_count=ExampleBlogPost.view_count + 1)
            )
            await uow.session.refresh(post)
            record_command(
                ctx,
                uow,
                module="example",
                entity="example_blog_post",
                verb="view",
                event="viewed",
                resource_id=post.id,
                tenant_id=post.tenant_id,
                organization_id=post.organization_id,
                before=before,
                after=serialize(BLOG_POST, post),
            )
        return _page(post, "POST")

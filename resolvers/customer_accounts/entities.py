"""Customer users and roles as typed, read-only GraphQL entities (``CustomerAccountUser`` with its
``roles``, ``CustomerAccountRole`` with its ``users``) with list filters. Every write goes through
the declared operations (``resolvers.customer_accounts.admin``), which keep passwords, sessions and
role rules consistent; the password hash is never a field."""

from __future__ import annotations

import uuid
from datetime import datetime

from models.customer_accounts import CustomerRole, CustomerUser, CustomerUserRole
from resolvers.entity import Entity, Features, Field, Relation, contains, eq

VIEW, MANAGE = "customer_accounts.view", "customer_accounts.manage"
# Writes go through the declared operations (no entity mutations); MANAGE is what they require.
FEATURES = Features(view=[VIEW], create=[MANAGE], update=[MANAGE], delete=[MANAGE])


def _read(attr: str, type_: type = str, **options: object) -> Field:
    return Field(attr, type_, create=False, update=False, **options)


CUSTOMER_USER = Entity(
    name="customer_user",
    module="customer_accounts",
    model=CustomerUser,
    path=None,
    graphql_name="CustomerAccountUser",
    plural="customerAccountUsers",
    scope="tenant",
    features=FEATURES,
    fields=[
        _read("email", sort=True, search=True),
        _read("display_name", sort=True, search=True),
        _read("is_active", bool),
        _read("email_verified_at", datetime),
        _read("locked_until", datetime),
        _read("last_login_at", datetime, sort=True),
        _read("customer_entity_id", uuid.UUID),
        _read("person_entity_id", uuid.UUID),
        _read("created_at", datetime, sort=True),
    ],
    filters=[
        contains("email", CustomerUser.email),
        eq("isActive", CustomerUser.is_active, bool),
        eq("customerEntityId", CustomerUser.customer_entity_id, uuid.UUID),
    ],
    relations=[
        Relation(
            "roles",
            "customer_role",
            "through",
            through=CustomerUserRole,
            through_source="user_id",
            through_target="role_id",
        )
    ],
    default_sort="email",
    rest_verbs=(),
    mutations=(),
)

CUSTOMER_ROLE = Entity(
    name="customer_role",
    module="customer_accounts",
    model=CustomerRole,
    path=None,
    graphql_name="CustomerAccountRole",
    plural="customerAccountRoles",
    scope="tenant",
    features=FEATURES,
    fields=[
        _read("name", sort=True, search=True),
        _read("slug", sort=True),
        _read("description"),
        _read("is_default", bool),
        _read("is_system", bool),
        _read("customer_assignable", bool),
        _read("is_portal_admin", bool),
        _read("features", list),
        _read("created_at", datetime, sort=True),
    ],
    filters=[eq("slug", CustomerRole.slug), eq("isSystem", CustomerRole.is_system, bool)],
    relations=[
        Relation(
            "users",
            "customer_user",
            "through",
            through=CustomerUserRole,
            through_source="role_id",
            through_target="user_id",
        )
    ],
    default_sort="name",
    rest_verbs=(),
    mutations=(),
)

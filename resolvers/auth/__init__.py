"""Auth module: users, roles, ACLs, sessions, password reset, profile and preferences."""

from resolvers.auth import acl, entities, profile, sessions  # noqa: F401 - importing declares them

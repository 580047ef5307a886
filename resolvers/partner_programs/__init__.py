"""The partner_programs module: programs and their memberships (the referring partners of deals,
leads and policies). Importing this package registers the entities and operations."""

from resolvers.partner_programs import programs  # noqa: F401 - importing registers the entities

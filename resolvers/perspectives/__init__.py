"""The perspectives module: saved views of a table per user, and role defaults offered to every
holder of a role of the tenant.

Importing this package registers the entities and the operations.
"""

from resolvers.perspectives import entities, operations  # noqa: F401 - importing registers them

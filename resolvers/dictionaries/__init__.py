"""The dictionaries module: named value lists of an organization (inherited by the organizations
below it) and their entries.

Importing this package registers the entities and the operations.
"""

from resolvers.dictionaries import entities, operations  # noqa: F401 - importing registers them

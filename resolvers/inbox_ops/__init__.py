"""The inbox ops module: inbound emails (signed webhook or pasted text), proposals extracted from
them by a deterministic rule-based extractor, actions accepted into the customers and sales modules
or sent as replies, and the tenant's inbox settings.

Importing this package registers the entities and the operations.
"""

from resolvers.inbox_ops import actions, emails, entities, proposals, settings  # noqa: F401 - registers them

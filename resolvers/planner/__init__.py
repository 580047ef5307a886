"""The planner module: availability rule sets, availability rules of members and resources (RRULE
text), and replacing a subject's weekly or date-specific availability in one command.

Importing this package registers the entities and the operations.
"""

from resolvers.planner import entities, operations  # noqa: F401 - importing registers them

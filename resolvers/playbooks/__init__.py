"""The playbooks module: playbooks with ordered procedure steps, the procedure-status dictionary and
the match of playbooks to a case.

Importing this package registers the entity and the operations.
"""

from resolvers.playbooks import operations, playbooks  # noqa: F401 - importing registers them

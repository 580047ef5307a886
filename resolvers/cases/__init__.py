"""The cases module: customer service cases (status machine, priority, owner), their timeline and
messages, and the procedure a playbook gives them (tasks followed one by one).

Importing this package registers the entities and the operations.
"""

from resolvers.cases import cases, procedure, reversal, timeline  # noqa: F401 - importing registers them

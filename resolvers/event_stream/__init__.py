"""The live event stream (catalog module ``events``): the caller's tenant domain events as they
commit, over server-sent events (``GET /events/stream``) and GraphQL subscriptions, each event only
for callers who may view that kind of record. (The package is not named ``events``: that is the
platform's outbox, ``resolvers.events``.)

Delivery comes from the process's :mod:`crmgraph.eventhub` (PostgreSQL LISTEN, fanned out in
memory): no client polls the database. Importing this package registers the operation.
"""

from resolvers.event_stream import stream  # noqa: F401 - importing registers the operation

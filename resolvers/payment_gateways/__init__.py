"""The payment_gateways module: payments at providers (``manual`` offline, ``stripe`` over the
Stripe payments API), their status machine and history, commands (session, capture, refund,
cancel), reads, and provider webhooks applied once per event.

Importing this package registers the entities and the operations.
"""

from resolvers.payment_gateways import entities, operations, webhooks  # noqa: F401 - importing registers them

"""The shipping carriers module: rates, shipments, tracking, cancellation and pickup points through
carrier providers (the built-in ``manual`` one and InPost ShipX), and the providers' signed webhooks
applied idempotently to the stored shipments (``CarrierShipment``).

Importing this package registers the entity and the operations.
"""

from resolvers.shipping_carriers import entities, operations, webhooks  # noqa: F401 - importing registers them

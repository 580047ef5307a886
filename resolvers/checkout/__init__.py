"""The checkout module: pay-page templates, pay links (public pages at ``/checkout/pay/{slug}``,
optionally password-protected), and the payments made on them through ``payment_gateways``.

Importing this package registers the entities, the operations and the payment listener.
"""

from resolvers.checkout import entities, pages, submit, transactions  # noqa: F401 - importing registers them

"""The webhooks module: outbound endpoints subscribed to domain events, signed per the Standard
Webhooks spec, delivered by arq jobs from the transactional outbox (a persistent subscriber writes one
delivery row per event and matching endpoint; ``resolvers.webhooks.sender`` posts them), with
retries, auto-disable and SSRF guards; and inbound endpoints verifying providers' signatures.

Importing this package registers the entities, the operations and the outbox subscriber.
"""

from resolvers.webhooks import deliveries, endpoints, fanout, inbound  # noqa: F401 - importing registers them

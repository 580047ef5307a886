"""The integrations module: the registry of provider integrations, a tenant's settings of each
(enabled, API version, credentials sealed with ``crmgraph.crypto``), health checks and a log.

Other modules read their credentials through :func:`resolvers.integrations.store.credentials_of`
and register a health probe with :func:`resolvers.integrations.registry.probe`.
"""

from resolvers.integrations import operations  # noqa: F401 - importing registers them

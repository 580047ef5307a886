"""The currencies module: currencies of an organization (one base currency), dated exchange rates
between them (exact decimals), and fetching rates from central banks' APIs.

Importing this package registers the entities and the operations.
"""

from resolvers.currencies import entities, fetching, options  # noqa: F401 - importing registers them

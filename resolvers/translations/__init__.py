"""The translations module: translations of records' text fields by locale, and the locales a tenant
translates into.

Importing this package registers the operations.
"""

from resolvers.translations import locales, records  # noqa: F401 - importing registers them

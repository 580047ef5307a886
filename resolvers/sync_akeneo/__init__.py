"""The Akeneo sync module: discovering an Akeneo PIM (families, attributes, channels, locales),
mapping its attributes onto catalog product fields, importing its products into the catalog (through
the catalog's own services) and deleting what was imported.

Importing this package registers the operations.
"""

from resolvers.sync_akeneo import operations  # noqa: F401 - importing registers them

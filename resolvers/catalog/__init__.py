"""The catalog module: products and their variants, offers on sales channels, exact prices (net, tax
rate, gross rounded half-up to the currency's minor units) of price kinds, a category tree, option
schemas, unit conversions, service lines, tags, product media (attachments) and bulk delete.

Importing this package registers the entities and the operations.
"""

from resolvers.catalog import categories, operations, pricing, products, settings  # noqa: F401 - registers

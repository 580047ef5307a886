"""The accounting module: selling entities (the organization's invoicing legal entities, numbered
without gaps), invoices with line items and an exact VAT breakdown, and bank account checks in the
Polish VAT registry.

Importing this package registers the entities and the operations.
"""

from resolvers.accounting import bank_accounts, entities, numbering  # noqa: F401 - importing registers them

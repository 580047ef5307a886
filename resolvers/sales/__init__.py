"""The sales module: quotes and orders with lines, adjustments and totals (exact decimals, one
recalculation), payments, shipments, returns, document numbers, the quote flow (send, public link,
accept, convert) and dashboard widgets.

Importing this package registers the entities and the operations.
"""

from resolvers.sales import (  # noqa: F401 - importing registers them
    configuration,
    documents,
    flows,
    fulfillment,
    lines,
    numbers,
    records,
    widgets,
)

"""The procurement module: processes with line items, supplier candidates, tasks and a timeline;
per-organization settings (status/type catalogs, defaults) and status-transition rules enforced on
every status change.

Importing this package registers every procurement entity and operation.
"""

from resolvers.procurement import (  # noqa: F401 - importing registers the entities and operations
    children,
    processes,
    rules,
    settings,
    timeline,
)

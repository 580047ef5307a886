"""The dashboards module: the widget registry modules contribute to, per-user layouts, role and user
widget assignments, ``widgets/data`` aggregations over an allow-list of entities and the CRM KPIs.

Importing this package registers the widgets and the operations.
"""

from resolvers.dashboards import analytics, contributions, layouts, registry  # noqa: F401

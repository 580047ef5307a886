"""Customer portal accounts (a login audience apart from staff): public flows, the portal's own
routes and the staff administration of customer users and roles."""

from resolvers.customer_accounts import admin, entities, portal, public  # noqa: F401

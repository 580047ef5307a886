"""The onboarding module: self-service sign-up with e-mail verification (which provisions a tenant,
its organization and admin user), the sign-up status, and the demo feedback form. Every route is
public and rate limited.

Importing this package registers the operations.
"""

from resolvers.onboarding import feedback, provisioning, signup  # noqa: F401 - importing registers them

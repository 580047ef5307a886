"""The insurance module: insurers and their contacts, policies, leads (with attachments and the
inbound inquiry injection) and the module's settings. Importing this package registers them."""

from resolvers.insurance import attachments, entities, inject, settings  # noqa: F401

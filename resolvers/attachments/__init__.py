"""The attachments module: files linked to any record (entity id + record id) in the caller's scope,
kept in the tenant's partitions (public or private; local disk or S3-compatible storage by
configuration), served raw or as resized images, listed per record and in the library, moved
between records.

Importing this package registers the entities and the operations.
"""

from resolvers.attachments import attachments, files, partitions  # noqa: F401 - importing registers them

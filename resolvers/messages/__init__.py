"""The messages module: internal messages between users of a tenant — conversations (``thread_id``),
replies and forwards, drafts, files, records a message is about, actions and confirmations, per
recipient read/archived state, and e-mail links (tokens) to a message.

Importing this package registers the entities, the message and object types, and the operations.
"""

from resolvers.messages import (  # noqa: F401 - importing registers them
    actions,
    attachments,
    compose,
    copies,
    entities,
    folders,
    read,
    replies,
    tokens,
    types,
)

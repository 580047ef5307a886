"""The example module: todos with assignees and custom fields, customer priorities, the todo form's
option lists, public blog pages, an actionable notification and the QA capture of its events.

Importing this package registers the entities, operations and the capture subscriber.
"""

from resolvers.example import (  # noqa: F401 - importing registers them
    blog,
    notifications,
    options,
    priorities,
    qa_events,
    todos,
)

"""The notifications module: per-user notifications (sent to users, a role or the holders of a
feature), their read/dismiss/restore/action lifecycle, and the tenant's delivery settings.

Other modules send notifications with :func:`resolvers.notifications.service.notify` inside their own
unit of work. Importing this package registers the entity and the operations.
"""

from resolvers.notifications import entities, operations, sending, settings  # noqa: F401 - importing registers them
from resolvers.notifications.service import NotificationContent, notify

__all__ = ["NotificationContent", "notify"]

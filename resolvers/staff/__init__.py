"""The staff module: teams, team roles, team members (roles, tags, the signed-in user's own
profile), leave requests with their approve/reject flow, and the members' timeline (activities,
comments), addresses and job history.

Importing this package registers every staff entity and operation.
"""

from resolvers.staff import (  # noqa: F401 - importing registers the entities and operations
    leave,
    members,
    profile,
    teams,
    timeline,
)

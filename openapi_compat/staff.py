"""REST routes of the staff module: CRUD derived from the entity declarations. The tag
assignment, self-profile and leave decision operations are declared in ``resolvers.staff`` and
mounted by ``openapi_compat.operations``."""

from __future__ import annotations

from openapi_compat.crud import crud_routes
from resolvers.staff.leave import STAFF_LEAVE_REQUEST
from resolvers.staff.members import STAFF_TEAM_MEMBER
from resolvers.staff.teams import STAFF_TEAM, STAFF_TEAM_ROLE
from resolvers.staff.timeline import STAFF_ACTIVITY, STAFF_ADDRESS, STAFF_COMMENT, STAFF_JOB_HISTORY

for _entity in (
    STAFF_TEAM,
    STAFF_TEAM_ROLE,
    STAFF_TEAM_MEMBER,
    STAFF_LEAVE_REQUEST,
    STAFF_ACTIVITY,
    STAFF_COMMENT,
    STAFF_ADDRESS,
    STAFF_JOB_HISTORY,
):
    crud_routes(_entity)

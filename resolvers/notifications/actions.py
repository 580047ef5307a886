"""Actions a recipient runs from a notification or a message: a declared command, a link, or a plain
acknowledgement. The caller records the outcome on its own row.

A sender chooses which actions a recipient sees, so an action may only name a command registered
here as safe to offer (:func:`allow_action_command`); it runs with the *recipient's* rights, through
``invoke`` (features checked, input validated) inside the caller's unit of work, so a failing
command rolls the whole action back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from crmgraph.context import RequestContext
from crmgraph.errors import BadRequest, ValidationFailed, issue
from resolvers.operations import OPERATIONS, invoke
from resolvers.validation import no_nul, text

ACTION_COMMANDS: dict[str, str] = {}  # commandId offered in actions -> declared operation name


def allow_action_command(command_id: str, operation: str) -> None:
    """Let notifications and messages offer ``command_id`` (runs the declared ``operation``)."""
    ACTION_COMMANDS[command_id] = operation


def required_text(max_length: int) -> Any:
    """A NUL-free, non-empty string of at most ``max_length`` characters."""
    return Annotated[str, StringConstraints(min_length=1, max_length=max_length), AfterValidator(no_nul)]


class OfferedActionInput(BaseModel):
    """One action offered to the recipient: a command (``commandId``), a link (``href``) or neither."""

    model_config = ConfigDict(extra="ignore")
    id: required_text(100)
    label: required_text(200)
    labelKey: text(200) | None = None
    variant: Literal["default", "secondary", "destructive", "outline", "ghost"] | None = None
    icon: text(100) | None = None
    commandId: text(200) | None = None
    href: text(2000) | None = None
    isTerminal: bool | None = None
    confirmRequired: bool | None = None
    confirmMessage: text(500) | None = None


def safe_href(href: str) -> bool:
    """A same-site path (``/x``, not ``//host``) or an http(s) URL; nothing that runs script."""
    if href.startswith("/"):
        return not href.startswith("//") and "\\" not in href
    parts = urlsplit(href)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def check_href(href: str | None, path: list[Any]) -> str | None:
    if href is not None and not safe_href(href):
        raise ValidationFailed([issue(path, "A path starting with / or an http(s) URL", "invalid_url")])
    return href


def checked_actions(
    actions: Sequence[OfferedActionInput] | None, path: str | list[str] = "actions"
) -> list[dict[str, Any]]:
    """The actions as stored: unique ids, registered commands only, safe links."""
    prefix = [path] if isinstance(path, str) else list(path)
    stored: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, action in enumerate(actions or []):
        if action.id in seen:
            raise ValidationFailed([issue([*prefix, index, "id"], "Action ids must be unique", "duplicate")])
        seen.add(action.id)
        if action.commandId is not None and action.commandId not in ACTION_COMMANDS:
            raise ValidationFailed(
                [issue([*prefix, index, "commandId"], "Unknown action command", "not_found")]
            )
        check_href(action.href, [*prefix, index, "href"])
        stored.append(action.model_dump(exclude_none=True))
    return stored


def is_terminal(action: Mapping[str, Any]) -> bool:
    """Whether running it settles the item (a command does; a link alone does not)."""
    if isinstance(action.get("isTerminal"), bool):
        return action["isTerminal"]
    return not (action.get("href") and not action.get("commandId"))


PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+)\}")


def fill(template: str, values: Mapping[str, Any]) -> str:
    """``{name}`` placeholders replaced by URL-encoded values (unknown ones are left as they are)."""

    def value(match: re.Match[str]) -> str:
        found = values.get(match.group(1))
        return match.group(0) if found is None else quote(str(found), safe="")

    return PLACEHOLDER.sub(value, template)


def jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


async def run_action(
    ctx: RequestContext, action: Mapping[str, Any], command_input: dict[str, Any], values: Mapping[str, Any]
) -> tuple[Any, str | None]:
    """Run ``action`` as the caller: ``(result, href)``. A command gets ``command_input``; a link's
    placeholders are filled from ``values``."""
    href = fill(action["href"], values) if action.get("href") else None
    if href is not None and not safe_href(href):
        raise BadRequest("Action has an unsafe link")
    command = action.get("commandId")
    if command:
        operation = OPERATIONS.get(ACTION_COMMANDS.get(command, ""))
        if operation is None or operation.kind != "command":
            raise BadRequest("Action command is not available")
        _, result = await invoke(operation, ctx, command_input)
        return jsonable(result), href
    return ({"redirect": href} if href else None), href

"""Registries of message types (how a kind of message behaves: reply, forward, default actions, action
expiry) and of the records a message may be about (object types), with their listing operations.
Other modules register their own with :func:`register_message_type` / :func:`register_object_type`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from crmgraph.context import RequestContext
from crmgraph.errors import ValidationFailed, issue
from resolvers.entity import ENTITIES, Entity
from resolvers.messages.entities import MODULE
from resolvers.notifications.actions import allow_action_command, required_text
from resolvers.operations import Rest, operation

CONFIRM_COMMAND = "messages.confirmations.confirm"


@dataclass(frozen=True)
class MessageType:
    type: str
    module: str
    label_key: str
    icon: str
    color: str | None = None
    allow_reply: bool = True
    allow_forward: bool = True
    createable_by_user: bool = True
    actions_expire_after_hours: int | None = None
    default_actions: tuple[dict[str, Any], ...] = ()
    objects_only: bool = False  # needs records attached, and offers no actions on them
    ui: dict[str, Any] | None = None

    def definition(self) -> dict[str, Any]:
        return {
            "labelKey": self.label_key,
            "icon": self.icon,
            "color": self.color,
            "allowReply": self.allow_reply,
            "allowForward": self.allow_forward,
            "ui": self.ui,
        }


@dataclass(frozen=True)
class ObjectAction:
    id: str
    label_key: str
    href: str | None = None
    command_id: str | None = None
    is_terminal: bool | None = None

    def as_action(self) -> dict[str, Any]:
        action = {"id": self.id, "label": self.id, "labelKey": self.label_key}
        extra = {"href": self.href, "commandId": self.command_id, "isTerminal": self.is_terminal}
        return {**action, **{k: v for k, v in extra.items() if v is not None}}


@dataclass(frozen=True)
class ObjectType:
    """A kind of record a message may carry: ``entity_type`` names a declared entity of ``module``."""

    module: str
    entity_type: str
    label_key: str
    icon: str
    actions: tuple[ObjectAction, ...] = ()
    message_types: tuple[str, ...] | None = None  # None: every message type

    def entity(self) -> Entity | None:
        entity = ENTITIES.get(self.entity_type)
        return entity if entity is not None and entity.module == self.module else None

    def action(self, action_id: str | None) -> ObjectAction | None:
        return next((a for a in self.actions if a.id == action_id), None)


MESSAGE_TYPES: dict[str, MessageType] = {}
OBJECT_TYPES: dict[tuple[str, str], ObjectType] = {}


def register_message_type(message_type: MessageType) -> None:
    MESSAGE_TYPES[message_type.type] = message_type


def register_object_type(object_type: ObjectType) -> None:
    OBJECT_TYPES[(object_type.module, object_type.entity_type)] = object_type


def message_type(name: str | None) -> MessageType:
    """The registered type (``default`` for messages of a type no longer registered)."""
    return MESSAGE_TYPES.get(name or "default") or MESSAGE_TYPES["default"]


def composable_type(name: str) -> MessageType:
    found = MESSAGE_TYPES.get(name)
    if found is None:
        raise ValidationFailed([issue("type", "Unknown message type", "invalid_enum_value")])
    if not found.createable_by_user:
        raise ValidationFailed(
            [issue("type", "Message type cannot be created by users", "invalid_enum_value")]
        )
    return found


def object_types_for(type_name: str) -> list[ObjectType]:
    return [
        o
        for o in OBJECT_TYPES.values()
        if o.entity() is not None and (o.message_types is None or type_name in o.message_types)
    ]


register_message_type(
    MessageType(
        "default",
        MODULE,
        "messages.types.default",
        "mail",
        ui={"listItemComponent": "messages.default.listItem", "contentComponent": "messages.default.content"},
    )
)
register_message_type(
    MessageType(
        "messages.defaultWithObjects",
        MODULE,
        "messages.types.defaultWithObjects",
        "paperclip",
        objects_only=True,
    )
)
register_message_type(
    MessageType(
        "messages.confirmation",
        MODULE,
        "messages.types.confirmation",
        "badge-check",
        color="green",
        default_actions=(
            {
                "id": "confirmation",
                "label": "Confirm",
                "labelKey": "messages.actions.confirmation",
                "variant": "default",
                "icon": "check",
                "commandId": CONFIRM_COMMAND,
                "isTerminal": True,
                "confirmRequired": True,
            },
        ),
    )
)
allow_action_command(CONFIRM_COMMAND, "confirm_message")

# The concierge's records a message can be about; ``view`` opens the record.
for _module, _entity, _icon in (
    ("customers", "person", "user"),
    ("customers", "company", "building"),
    ("customers", "deal", "handshake"),
    ("cases", "case", "life-buoy"),
    ("resources", "resource", "bike"),
    ("procurement", "procurement_process", "shopping-cart"),
    ("insurance", "policy", "shield"),
):
    _path = ENTITIES[_entity].path if _entity in ENTITIES else f"/{_module}/{_entity}"
    register_object_type(
        ObjectType(
            _module,
            _entity,
            f"{_module}.{_entity}",
            _icon,
            actions=(
                ObjectAction("view", "messages.objects.actions.view", href=f"/backend{_path}/{{entityId}}"),
            ),
        )
    )


class MessageTypeItem(BaseModel):
    type: str
    module: str
    labelKey: str
    icon: str
    color: str | None = None
    allowReply: bool
    allowForward: bool
    actionsExpireAfterHours: int | None = None
    ui: dict[str, Any] | None = None


class MessageTypeList(BaseModel):
    items: list[MessageTypeItem]


@operation(
    "message_types",
    MODULE,
    output=MessageTypeList,
    kind="query",
    features=("messages.view",),
    rest=Rest("GET", "/messages/types"),
)
async def list_types(ctx: RequestContext) -> dict[str, Any]:
    """The kinds of message and how they behave (reply, forward, action expiry)."""
    return {
        "items": [
            {
                "type": t.type,
                "module": t.module,
                "labelKey": t.label_key,
                "icon": t.icon,
                "color": t.color,
                "allowReply": t.allow_reply,
                "allowForward": t.allow_forward,
                "actionsExpireAfterHours": t.actions_expire_after_hours,
                "ui": t.ui,
            }
            for t in MESSAGE_TYPES.values()
        ]
    }


class ObjectTypeQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    messageType: required_text(100)


class MessageObjectTypeAction(BaseModel):
    id: str
    labelKey: str


class MessageObjectTypeItem(BaseModel):
    module: str
    entityType: str
    labelKey: str
    icon: str
    actions: list[MessageObjectTypeAction]


class MessageObjectTypeList(BaseModel):
    items: list[MessageObjectTypeItem]


@operation(
    "message_object_types",
    MODULE,
    input=ObjectTypeQuery,
    output=MessageObjectTypeList,
    kind="query",
    features=("messages.compose",),
    rest=Rest("GET", "/messages/object-types"),
)
async def list_object_types(ctx: RequestContext, data: ObjectTypeQuery) -> dict[str, Any]:
    """The kinds of record a message of ``messageType`` may carry, with the actions they offer."""
    if data.messageType not in MESSAGE_TYPES:
        raise ValidationFailed([issue("messageType", "Unknown message type", "invalid_enum_value")])
    return {
        "items": [
            {
                "module": o.module,
                "entityType": o.entity_type,
                "labelKey": o.label_key,
                "icon": o.icon,
                "actions": [{"id": a.id, "labelKey": a.label_key} for a in o.actions],
            }
            for o in object_types_for(data.messageType)
        ]
    }

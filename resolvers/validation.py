"""Input validation with pydantic models generated from entity declarations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, ConfigDict, StringConstraints, create_model
from pydantic import Field as PydanticField
from pydantic import ValidationError as PydanticValidationError

from crmgraph.errors import ValidationFailed
from resolvers.entity import Entity, Field

JSON_TYPES: dict[type, Any] = {dict: dict[str, Any], list: list[Any]}


def _annotation(f: Field) -> Any:
    base = JSON_TYPES.get(f.type, f.type)
    if f.type is str and f.max_length:
        base = Annotated[str, StringConstraints(max_length=f.max_length)]
    return base


class _Input(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", str_strip_whitespace=False)


@cache
def input_model(entity: Entity, mode: str) -> type[BaseModel]:
    """Pydantic model for ``mode`` 'create' or 'update'; accepts camelCase and snake_case keys."""
    spec: dict[str, Any] = {}
    for f in entity.fields:
        if not (f.create if mode == "create" else f.update):
            continue
        annotation = _annotation(f)
        aliases = AliasChoices(f.camel, f.attr)
        if mode == "create" and f.required:
            spec[f.attr] = (annotation, PydanticField(validation_alias=aliases))
        else:
            spec[f.attr] = (annotation | None, PydanticField(default=None, validation_alias=aliases))
    return create_model(f"{entity.graphql_name}{mode.title()}Input", __base__=_Input, **spec)


def validation_details(exc: PydanticValidationError) -> list[dict[str, Any]]:
    return [
        {"code": err["type"], "message": err["msg"], "path": [str(p) for p in err["loc"]]}
        for err in exc.errors(include_url=False)
    ]


def validate(model: type[BaseModel], data: Any, message: str = "Validation failed") -> BaseModel:
    if not isinstance(data, dict):
        raise ValidationFailed(
            [{"code": "invalid_type", "message": "Expected an object", "path": []}], message
        )
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise ValidationFailed(validation_details(exc), message) from None


def validate_input(entity: Entity, mode: str, data: Any) -> dict[str, Any]:
    """Validated values keyed by attribute, only for the keys the caller sent."""
    parsed = validate(input_model(entity, mode), data)
    return {name: getattr(parsed, name) for name in parsed.model_fields_set}


def coerce(type_: type, raw: str) -> Any:
    """Parse one query-string value into ``type_``; raises ValueError."""
    if type_ is str:
        return raw
    if type_ is bool:
        lowered = raw.strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise ValueError(f"Expected a boolean, got {raw!r}")
    if type_ is uuid.UUID:
        return uuid.UUID(raw)
    if type_ is datetime:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        return parsed
    if type_ is date:
        return date.fromisoformat(raw)
    if type_ in (int, float):
        return type_(raw)
    return raw

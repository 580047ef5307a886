"""Input validation at the edge: pydantic models generated from entity declarations, bounded by the
SQLAlchemy column each field writes, plus reusable annotated types for hand-written inputs.

Every value that reaches PostgreSQL must fit its column: integers within the column's range, finite
floats within a ``Numeric(p, s)`` magnitude, strings without NUL bytes and within ``String(n)``,
timestamps that convert to UTC inside PostgreSQL's range, JSON without NUL bytes or NaN/Infinity.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Annotated, Any

from pydantic import AfterValidator, AliasChoices, BaseModel, ConfigDict, StringConstraints, create_model
from pydantic import Field as PydanticField
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import BigInteger, Float, Integer, Numeric, SmallInteger, String, inspect
from sqlalchemy.types import TypeEngine

from crmgraph.errors import ValidationFailed, issue
from resolvers.entity import Entity, Field

INT_RANGES: list[tuple[type[TypeEngine], int]] = [(SmallInteger, 16), (BigInteger, 64), (Integer, 32)]
NUL = "\x00"


# --- reusable annotated types ----------------------------------------------------------------


def no_nul(value: str) -> str:
    if NUL in value:
        raise ValueError("Must not contain NUL characters")
    return value


def utc_in_range(value: datetime) -> datetime:
    """Aware (naive is taken as UTC) and representable in UTC (PostgreSQL stores timestamptz in UTC)."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        return aware.astimezone(UTC)
    except OverflowError:
        raise ValueError("Date is outside the supported range") from None


def json_safe(value: Any) -> Any:
    """JSON PostgreSQL accepts: no NUL in keys or strings, no NaN/Infinity, at any depth."""
    problem = json_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def int_range(bits: int) -> tuple[int, int]:
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


def bounded_int(bits: int = 32) -> Any:
    low, high = int_range(bits)
    return Annotated[int, PydanticField(ge=low, le=high)]


def text(max_length: int) -> Any:
    """A NUL-free string that fits a ``String(max_length)`` column."""
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(no_nul)]


SafeStr = Annotated[str, AfterValidator(no_nul)]
BoundedInt = bounded_int(32)
BigInt = bounded_int(64)
FiniteFloat = Annotated[float, PydanticField(allow_inf_nan=False)]
SafeDatetime = Annotated[datetime, AfterValidator(utc_in_range)]
SafeJson = Annotated[Any, AfterValidator(json_safe)]
SafeDict = Annotated[dict[str, Any], AfterValidator(json_safe)]
SafeList = Annotated[list[Any], AfterValidator(json_safe)]


def json_problem(value: Any, depth: int = 0) -> str | None:
    """Why ``value`` cannot be stored (``None`` when it can)."""
    if depth > 64:
        return "Nested too deeply"
    if isinstance(value, str):
        return "Must not contain NUL characters" if NUL in value else None
    if isinstance(value, float):
        return None if math.isfinite(value) else "Numbers must be finite"
    if isinstance(value, Mapping):
        for key, item in value.items():
            problem = json_problem(str(key), depth + 1) or json_problem(item, depth + 1)
            if problem:
                return problem
    elif isinstance(value, list | tuple):
        for item in value:
            problem = json_problem(item, depth + 1)
            if problem:
                return problem
    return None


def unsafe_paths(value: Any, path: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """Issues for every NUL-bearing string or non-finite number inside a raw request value."""
    if isinstance(value, Mapping):
        found = []
        for key, item in value.items():
            if isinstance(key, str) and NUL in key:
                found.append(issue([*path, key.replace(NUL, "")], "Must not contain NUL characters"))
            found += unsafe_paths(item, (*path, key))
        return found
    if isinstance(value, list | tuple):
        return [found for i, item in enumerate(value) for found in unsafe_paths(item, (*path, i))]
    problem = json_problem(value) if isinstance(value, str | float) else None
    return (
        [issue(list(path), problem, "invalid_string" if isinstance(value, str) else "not_finite")]
        if problem
        else []
    )


def check_safe(value: Any, message: str = "Validation failed") -> None:
    """Raise a 400 when a raw request value holds a NUL byte or a non-finite number anywhere."""
    details = unsafe_paths(value)
    if details:
        raise ValidationFailed(details, message)


# --- column-derived bounds --------------------------------------------------------------------


def column_type(model: type, attr: str) -> TypeEngine | None:
    prop = inspect(model).attrs.get(attr)
    columns = getattr(prop, "columns", None)
    return columns[0].type if columns else None


def _str_annotation(f: Field, col: TypeEngine | None) -> Any:
    lengths = [
        n for n in (f.max_length, getattr(col, "length", None) if isinstance(col, String) else None) if n
    ]
    return text(min(lengths)) if lengths else SafeStr


def _int_annotation(col: TypeEngine | None) -> Any:
    for kind, bits in INT_RANGES:
        if isinstance(col, kind):
            return bounded_int(bits)
    return BigInt


def _float_annotation(col: TypeEngine | None) -> Any:
    if isinstance(col, Numeric) and not isinstance(col, Float) and col.precision is not None:
        limit = 10.0 ** (col.precision - (col.scale or 0))
        return Annotated[float, PydanticField(allow_inf_nan=False, gt=-limit, lt=limit)]
    return FiniteFloat


def _decimal_annotation(col: TypeEngine | None) -> Any:
    """Exact and finite, with at most the digits a ``Numeric(p, s)`` column keeps."""
    if isinstance(col, Numeric) and col.precision is not None:
        bounds = PydanticField(allow_inf_nan=False, max_digits=col.precision, decimal_places=col.scale or 0)
        return Annotated[Decimal, bounds]
    return Annotated[Decimal, PydanticField(allow_inf_nan=False)]


def _annotation(f: Field, col: TypeEngine | None) -> Any:
    if f.type is Decimal:
        return _decimal_annotation(col)
    if f.type is str:
        return _str_annotation(f, col)
    if f.type is int:
        return _int_annotation(col)
    if f.type is float:
        return _float_annotation(col)
    if f.type is datetime:
        return SafeDatetime
    if f.type is dict:
        return SafeDict
    if f.type is list:
        return SafeList
    return f.type


class _Input(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", str_strip_whitespace=False)


@cache
def input_model(entity: Entity, mode: str) -> type[BaseModel]:
    """Pydantic model for ``mode`` 'create' or 'update'; accepts camelCase and snake_case keys."""
    spec: dict[str, Any] = {}
    for f in entity.fields:
        if not (f.create if mode == "create" else f.update):
            continue
        annotation = _annotation(f, column_type(entity.model, f.attr))
        aliases = AliasChoices(f.camel, f.attr, *f.aliases)
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
    """``model`` parsed from ``data``; NUL bytes and NaN/Infinity anywhere in ``data`` are a 400 too."""
    if not isinstance(data, dict):
        raise ValidationFailed(
            [{"code": "invalid_type", "message": "Expected an object", "path": []}], message
        )
    check_safe(data, message)
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise ValidationFailed(validation_details(exc), message) from None


def validate_input(entity: Entity, mode: str, data: Any) -> dict[str, Any]:
    """Validated values keyed by attribute, only for the keys the caller sent."""
    parsed = validate(input_model(entity, mode), data)
    return {name: getattr(parsed, name) for name in parsed.model_fields_set}


# --- query-string values ----------------------------------------------------------------------


def coerce(type_: type, raw: str) -> Any:
    """Parse one query-string value into ``type_`` within what PostgreSQL holds; raises ValueError."""
    no_nul(raw)
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
        return utc_in_range(datetime.fromisoformat(raw.strip().replace("Z", "+00:00")))
    if type_ is date:
        return date.fromisoformat(raw.strip())
    if type_ is int:
        value = int(raw)
        low, high = int_range(64)
        if not low <= value <= high:
            raise ValueError("Number out of range")
        return value
    if type_ is float:
        value = float(raw)
        if not math.isfinite(value):
            raise ValueError("Numbers must be finite")
        return value
    return raw


def integral(raw: str) -> int:
    """A query-string number as an integer (``1e3`` and ``2.0`` allowed); raises ValueError."""
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise ValueError("Expected a number") from None
    if not value.is_finite():
        raise ValueError("Expected a finite number")
    if value.adjusted() > 18:  # beyond any page or size we could serve: saturate, do not allocate
        return 10**19 if value > 0 else -(10**19)
    return int(value)

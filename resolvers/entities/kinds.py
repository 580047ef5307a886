"""Custom field kinds: what a value of each kind may be, how it is normalized on write and how a
filter's text is read for it. Pure functions: definitions come in as :class:`FieldSpec`."""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

KINDS = (
    "text",
    "multiline",
    "integer",
    "float",
    "boolean",
    "select",
    "currency",
    "relation",
    "attachment",
    "dictionary",
)
TEXT_LIMITS = {"text": 10_000, "multiline": 100_000, "dictionary": 200, "select": 200}
MAX_ITEMS = 200  # values of a multi field
SAFE_INTEGER = 2**53 - 1  # JSON numbers every client reads exactly
CURRENCY = re.compile(r"^[A-Z]{3}$")
RULES = ("required", "integer", "float", "date", "lt", "lte", "gt", "gte", "eq", "ne")


class InvalidValue(ValueError):
    """A value that the field's kind or rules refuse (the message is for the caller)."""


@dataclass(frozen=True)
class FieldSpec:
    """What a definition says about its values."""

    key: str
    kind: str
    label: str
    multi: bool = False
    options: tuple[Any, ...] = ()
    required: bool = False
    rules: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    config: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, key: str, kind: str, config: dict[str, Any] | None) -> FieldSpec:
        config = config or {}
        rules = tuple(r for r in config.get("validation") or [] if isinstance(r, dict))
        options = tuple(_option_value(o) for o in config.get("options") or [])
        return cls(
            key=key,
            kind=kind,
            label=str(config.get("label") or key),
            multi=bool(config.get("multi")),
            options=options,
            required=bool(config.get("required")) or any(r.get("rule") == "required" for r in rules),
            rules=rules,
            config=config,
        )


def _option_value(option: Any) -> Any:
    """Options are values, or ``{value, label}`` objects."""
    return option.get("value") if isinstance(option, dict) else option


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def normalize(spec: FieldSpec, value: Any) -> Any:
    """The value to store for ``spec`` (a list for multi fields); raises InvalidValue."""
    if spec.multi:
        items = value if isinstance(value, list) else [value]
        if len(items) > MAX_ITEMS:
            raise InvalidValue(f"At most {MAX_ITEMS} values")
        normalized = [_one(spec, item) for item in items]
    else:
        if isinstance(value, list):
            raise InvalidValue("Expected a single value")
        normalized = _one(spec, value)
    for rule in spec.rules:
        _check_rule(rule, normalized)
    return normalized


def _one(spec: FieldSpec, value: Any) -> Any:
    kind = spec.kind
    if kind in ("text", "multiline", "dictionary"):
        return _text(value, TEXT_LIMITS[kind])
    if kind == "integer":
        return _integer(value)
    if kind == "float":
        return _float(value)
    if kind == "boolean":
        return _boolean(value)
    if kind == "select":
        chosen = (
            value if isinstance(value, int | float) and not isinstance(value, bool) else _text(value, 200)
        )
        if spec.options and chosen not in spec.options and str(chosen) not in map(str, spec.options):
            raise InvalidValue(f"Not one of the options: {', '.join(map(str, spec.options))}")
        return chosen
    if kind == "currency":
        code = _text(value, 3).upper()
        if not CURRENCY.match(code):
            raise InvalidValue("Expected a three-letter currency code")
        return code
    if kind in ("relation", "attachment"):
        try:
            return str(uuid.UUID(str(value)))
        except ValueError:
            raise InvalidValue("Expected a record id (UUID)") from None
    raise InvalidValue(f"Unknown kind {kind}")


def _text(value: Any, limit: int) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidValue("Expected text")
    text = str(value)
    if len(text) > limit:
        raise InvalidValue(f"At most {limit} characters")
    return text


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise InvalidValue("Expected an integer")
    try:
        number = float(value) if isinstance(value, str) else value
        if not isinstance(number, int | float) or not math.isfinite(number) or number != int(number):
            raise ValueError
    except (ValueError, TypeError, OverflowError):
        raise InvalidValue("Expected an integer") from None
    if abs(int(number)) > SAFE_INTEGER:
        raise InvalidValue("Integer out of range")
    return int(number)


def _float(value: Any) -> float | int:
    if isinstance(value, bool):
        raise InvalidValue("Expected a number")
    try:
        number = float(value) if isinstance(value, str) else value
        if not isinstance(number, int | float) or not math.isfinite(number):
            raise ValueError
    except (ValueError, TypeError, OverflowError):
        raise InvalidValue("Expected a number") from None
    return number


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise InvalidValue("Expected true or false")


def _check_rule(rule: dict[str, Any], value: Any) -> None:
    name, message = rule.get("rule"), str(rule.get("message") or "Invalid value")
    if is_empty(value) or name == "required":
        return  # required is checked on the whole record (a missing key is not in ``value``)
    values = value if isinstance(value, list) else [value]
    for item in values:
        if not _rule_holds(name, rule.get("param"), item):
            raise InvalidValue(message)


def _rule_holds(name: str | None, param: Any, value: Any) -> bool:
    if name in ("integer", "float", "lt", "lte", "gt", "gte"):
        try:
            number = float(value)
        except (TypeError, ValueError):
            return False
        if name == "integer":
            return math.isfinite(number) and number == int(number)
        if name == "float":
            return math.isfinite(number)
        limit = float(param)
        return {"lt": number < limit, "lte": number <= limit, "gt": number > limit, "gte": number >= limit}[
            name
        ]
    if name == "date":
        try:
            datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            try:
                date.fromisoformat(str(value))
            except ValueError:
                return False
        return True
    if name == "eq":
        return value == param
    if name == "ne":
        return value != param
    return True


def filter_value(spec: FieldSpec, raw: str) -> Any:
    """A filter's text read as a value of ``spec`` (one item for multi fields); raises InvalidValue."""
    if spec.kind in ("select",) and spec.options:
        for option in spec.options:
            if str(option) == raw:
                return option
    if spec.kind == "relation" or spec.kind == "attachment":
        return _one(spec, raw)
    return _one(spec, raw) if spec.kind in ("integer", "float", "boolean", "currency") else raw

"""GraphQL fields derived from operation declarations (``resolvers.operations``).

Each operation becomes one field (a query or a mutation) whose arguments are the fields of its
pydantic input model, typed (nested models become input types, ``dict`` becomes ``JSON``), and
whose type is derived from its output. The resolver hands the arguments, keyed as REST clients
send them, to ``invoke`` — the same validation, features and transaction as the REST route.
"""

import inspect
import types
import typing
import uuid
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import strawberry
from pydantic import BaseModel
from strawberry.scalars import JSON
from strawberry.types import Info

from resolvers.entity import Entity, camel
from resolvers.operations import OPERATIONS, Operation, invoke
from schema.directives import RequiresFeatures
from schema.entity import OBJECT_TYPES

SCALARS = {str, int, float, bool, uuid.UUID, datetime, date, Decimal}
_INPUT_MODELS: dict[type, type[BaseModel]] = {}  # generated input type -> its pydantic model


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(annotation without Annotated/Optional, whether None is allowed)."""
    if get_origin(annotation) is Annotated:
        return _unwrap(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        optional = len(members) != len(get_args(annotation))
        if len(members) != 1:
            return JSON, optional  # a union of several types has no GraphQL input/output type here
        inner, inner_optional = _unwrap(members[0])
        return inner, optional or inner_optional
    return annotation, False


def graphql_type(annotation: Any, *, output: bool) -> Any:
    """The Strawberry type for a pydantic field annotation (input or output side)."""
    inner, optional = _unwrap(annotation)
    if inner in SCALARS:
        result = inner
    elif get_origin(inner) is Literal:
        result = type(get_args(inner)[0])
    elif get_origin(inner) in (list, tuple, set, frozenset):
        (item,) = get_args(inner)[:1] or (Any,)
        result = list[graphql_type(item, output=output)]
    elif isinstance(inner, type) and issubclass(inner, BaseModel):
        result = object_type(inner) if output else input_type(inner)
    elif isinstance(inner, Entity):
        result = OBJECT_TYPES[inner.name]
    else:
        result = JSON
    return result | None if optional else result


def _graphql_field_name(name: str, info: Any) -> str:
    return info.alias or camel(name)


@cache
def input_type(model: type[BaseModel]) -> type:
    """A Strawberry input type mirroring ``model`` (field names as REST clients send them)."""
    cls = type(f"{model.__name__.removesuffix('Input')}Input", (), {"__module__": __name__})
    annotations = {}
    for name, info in model.model_fields.items():
        annotations[name] = graphql_type(info.annotation, output=False)
        if not info.is_required():
            annotations[name] = annotations[name] | None
        options = {} if info.is_required() else {"default": strawberry.UNSET}
        setattr(cls, name, strawberry.field(name=_graphql_field_name(name, info), **options))
    cls.__annotations__ = annotations
    result = strawberry.input(cls, description=model.__doc__)
    _INPUT_MODELS[result] = model
    return result


@cache
def object_type(model: type[BaseModel]) -> type:
    """A Strawberry object type mirroring an output model (values read from the result dict)."""
    cls = type(model.model_config.get("title") or model.__name__, (), {"__module__": __name__})
    annotations = {}
    for name, info in model.model_fields.items():
        annotations[name] = graphql_type(info.annotation, output=True)
        key = info.alias or name
        setattr(
            cls,
            name,
            strawberry.field(
                name=_graphql_field_name(name, info),
                resolver=_reader(
                    key,
                    annotations[name],
                    None if info.is_required() else info.get_default(call_default_factory=True),
                ),
            ),
        )
    cls.__annotations__ = {}
    return strawberry.type(cls, description=model.__doc__)


def _reader(key: str, annotation: Any, default: Any = None) -> Any:
    """Reads ``key`` of a result; a key the handler left out has the output model's default."""

    def read(root: strawberry.Parent[Any]) -> Any:
        return root.get(key, default) if isinstance(root, dict) else getattr(root, key, default)

    read.__annotations__ = {"return": annotation}
    return read


def plain(value: Any) -> Any:
    """Strawberry argument values back to JSON-like data keyed as REST clients send them."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    source = _INPUT_MODELS.get(type(value))
    if source is not None:
        return {_key(source, name): plain(v) for name, v in vars(value).items() if v is not strawberry.UNSET}
    return value


def _key(model: type[BaseModel] | None, name: str) -> str:
    if model is None or name not in model.model_fields:
        return name
    return model.model_fields[name].alias or name


def output_annotation(op: Operation) -> Any:
    if op.output is None:
        return JSON
    return graphql_type(op.output, output=True)


def operation_field(op: Operation) -> Any:
    """The Strawberry field for ``op``: typed arguments in, typed value out."""
    model = op.input
    parameters = [inspect.Parameter("info", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Info)]
    if model is not None:
        for name, info in model.model_fields.items():
            annotation = graphql_type(info.annotation, output=False)
            if info.is_required():
                parameters.append(
                    inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation)
                )
            else:
                parameters.append(
                    inspect.Parameter(
                        name,
                        inspect.Parameter.KEYWORD_ONLY,
                        annotation=typing.Annotated[
                            annotation | None, strawberry.argument(name=_graphql_field_name(name, info))
                        ],
                        default=strawberry.UNSET,
                    )
                )

    async def resolve(info: Info, **arguments: Any) -> Any:
        raw = {
            _key(model, name): plain(value)
            for name, value in arguments.items()
            if value is not strawberry.UNSET
        }
        data, result = await invoke(op, info.context, raw)
        if op.graphql_result is not None:
            return await op.graphql_result(info.context, data, result)
        return result

    resolve.__signature__ = inspect.Signature(parameters, return_annotation=output_annotation(op))
    resolve.__name__ = op.name
    directives = [RequiresFeatures(features=list(op.features))] if op.features else []
    maker = strawberry.field if op.kind == "query" else strawberry.mutation
    return maker(resolver=resolve, description=op.description or None, directives=directives)


def operation_fields(module: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(query fields, mutation fields) of every GraphQL-exposed operation (of one module)."""
    queries: dict[str, Any] = {}
    mutations: dict[str, Any] = {}
    for op in OPERATIONS.values():
        if not op.graphql or (module is not None and op.module != module):
            continue
        (queries if op.kind == "query" else mutations)[op.name] = operation_field(op)
    return queries, mutations

"""OpenAPI 3.1 document and an HTML index, generated from the registered operations and the catalog."""

from __future__ import annotations

import html
import re
import uuid
from datetime import date, datetime
from functools import cache
from typing import Any

from pydantic import BaseModel

from crmgraph.catalog import documented
from openapi_compat.routing import REGISTRY, Operation
from resolvers.entity import Entity
from resolvers.listing import MAX_PAGE_SIZE, SORT_DIRS
from resolvers.validation import input_model

SCHEMA_TYPES = {
    "number": "number",
    "string": "string",
    "array": "array",
    "boolean": "boolean",
    "integer": "integer",
}
ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "string"}, "details": {"type": "array", "items": {"type": "object"}}},
    "required": ["error"],
}


def _parameters(op: Operation, doc: dict[str, Any]) -> list[dict[str, Any]]:
    params = []
    seen = set()
    for p in doc.get("params", []):
        location = p.get("in", "query")
        seen.add((p["name"], location))
        schema: dict[str, Any] = {"type": SCHEMA_TYPES.get(p.get("schema", "string"), "string")}
        if schema["type"] == "array":
            schema["items"] = {"type": "string"}
        params.append(
            {
                "name": p["name"],
                "in": location,
                "required": bool(p.get("required")) or location == "path",
                "schema": schema,
                **({"description": p["description"]} if p.get("description") else {}),
            }
        )
    for name in re.findall(r"{(\w+)}", op.path):
        if (name, "path") not in seen:
            params.append({"name": name, "in": "path", "required": True, "schema": {"type": "string"}})
    return params


SCALAR_SCHEMAS: dict[type, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    uuid.UUID: {"type": "string", "format": "uuid"},
    datetime: {"type": "string", "format": "date-time"},
    date: {"type": "string", "format": "date"},
}
COMPONENTS: dict[str, Any] = {}


def _query(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        **({"description": description} if description else {}),
    }


def _list_parameters(entity: Entity) -> list[dict[str, Any]]:
    """The list query string of an entity route: paging, sort, ids, search and its declared filters."""
    params = [
        _query("page", {"type": "integer", "minimum": 1}),
        _query("pageSize", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}),
        _query("search", {"type": "string"}),
        _query("sortField", {"type": "string", "enum": sorted(entity.sort_columns())}),
        _query("sortDir", {"type": "string", "enum": list(SORT_DIRS)}),
        _query("ids", {"type": "string"}, "Comma-separated ids."),
    ]
    for flt in entity.filters:
        schema = dict(SCALAR_SCHEMAS.get(flt.type, {"type": "string"}))
        if flt.many:
            schema = {"type": "string", "description": "Comma-separated values."}
        params.append(_query(flt.name, schema, flt.description))
    return params


def _model_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema; nested definitions go to ``components.schemas``."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    COMPONENTS.update(schema.pop("$defs", {}))
    return schema


def _declared_input(op: Operation) -> dict[str, Any] | None:
    """A declared operation's input schema without its path parameters (they are in the path)."""
    declared = op.operation
    if declared is None or declared.input is None:
        return None
    schema = _model_schema(declared.input)
    in_path = set(re.findall(r"{(\w+)}", op.path))
    schema["properties"] = {k: v for k, v in schema.get("properties", {}).items() if k not in in_path}
    schema["required"] = [k for k in schema.get("required", []) if k not in in_path]
    return schema


def _declared_parameters(op: Operation) -> list[dict[str, Any]]:
    """Query parameters of a declared GET/DELETE operation, typed by its input model."""
    schema = _declared_input(op) if op.method in ("GET", "DELETE") else None
    if schema is None:
        return []
    required = set(schema.get("required", []))
    return [
        {**_query(name, prop, prop.get("description", "")), "required": name in required}
        for name, prop in schema["properties"].items()
    ]


def _body_schema(op: Operation) -> dict[str, Any] | None:
    if op.body_model is not None:
        return _model_schema(op.body_model)
    if op.operation is not None:
        return _declared_input(op) if op.method not in ("GET", "DELETE") else None
    if op.entity is None or op.method not in ("POST", "PUT"):
        return None
    schema = _model_schema(input_model(op.entity, "create" if op.method == "POST" else "update"))
    if op.method == "PUT":
        schema["properties"] = {"id": {"type": "string", "format": "uuid"}, **schema["properties"]}
        schema["required"] = ["id", *schema.get("required", [])]
    return schema


def _entity_parameters(op: Operation) -> list[dict[str, Any]]:
    if op.entity is None or "{" in op.path:
        return []
    if op.method == "GET" and op.handler.__name__ == "list_items":
        return _list_parameters(op.entity)
    if op.method == "DELETE":
        return [_query("id", {"type": "string", "format": "uuid"})]
    return []


def _binding(op: Operation) -> Any:
    """The declared REST binding served by this route, if any."""
    declared = op.operation
    if declared is None:
        return None
    return next((b for b in declared.rest if b.method == op.method and b.path == op.path), None)


def _is_upload(op: Operation) -> bool:
    """A declared operation bound here as a multipart upload (``Rest(upload=...)``)."""
    binding = _binding(op)
    return binding is not None and binding.upload is not None


def _success_content(op: Operation, example: Any) -> dict[str, Any]:
    binding = _binding(op)
    if binding is not None and binding.stream:  # server-sent events
        return {"text/event-stream": {"schema": {"type": "string"}}}
    return {"application/json": {"schema": _success_schema(op), "example": example}}


FILE_REF = "#/components/schemas/UploadedFile"


def _is_file(prop: dict[str, Any]) -> bool:
    """A property typed ``UploadedFile`` in the input model (a file part of an upload)."""
    return prop.get("$ref") == FILE_REF or any(v.get("$ref") == FILE_REF for v in prop.get("anyOf", []))


def _multipart(schema: dict[str, Any]) -> dict[str, Any]:
    """Form fields of an upload: file parts are binary."""
    properties = {
        name: {"type": "string", "format": "binary"} if _is_file(prop) else prop
        for name, prop in schema.get("properties", {}).items()
    }
    return {**schema, "properties": properties}


def _body_as(schema: dict[str, Any] | None, content_type: str, upload: bool) -> dict[str, Any] | None:
    """An upload's body as a form (file parts binary) or as JSON (without the file parts)."""
    if schema is None or not upload:
        return schema
    if content_type == "multipart/form-data":
        return _multipart(schema)
    files = {name for name, prop in schema.get("properties", {}).items() if _is_file(prop)}
    properties = {k: v for k, v in schema.get("properties", {}).items() if k not in files}
    required = [k for k in schema.get("required", []) if k not in files]
    return {**{k: v for k, v in schema.items() if k != "required"}, "properties": properties} | (
        {"required": required} if required else {}
    )


def _success_schema(op: Operation) -> dict[str, Any]:
    output = op.operation.output if op.operation is not None else None
    if isinstance(output, type) and issubclass(output, BaseModel) and op.operation.graphql_result is None:
        return _model_schema(output)
    return {"type": "object"}


def _merge(documented: list[dict[str, Any]], typed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Typed parameters replace documented ones of the same name and location."""
    keys = {(p["name"], p["in"]) for p in typed}
    return [p for p in documented if (p["name"], p["in"]) not in keys] + typed


def _operation(op: Operation) -> dict[str, Any]:
    doc = documented(op.method, op.path) or {}
    description = op.description or (op.handler.__doc__ or "").strip()
    if op.features:
        description = (
            (description + "\n\n" if description else "") + "Requires features: " + ", ".join(op.features)
        )
    examples = doc.get("response_examples") or [{}]
    success = examples[0]
    entry: dict[str, Any] = {
        "operationId": f"{op.method.lower()}{re.sub(r'[^A-Za-z0-9]+', '_', op.path)}",
        "tags": [doc.get("module") or op.path.strip("/").split("/")[0]],
        "summary": (doc.get("description") or f"{op.method} {op.path}").split(". ")[0][:120],
        "description": description,
        "x-required-features": op.features,
        "parameters": _merge(_parameters(op, doc), _entity_parameters(op) + _declared_parameters(op)),
        "responses": {
            str(op.status): {"description": "Success", "content": _success_content(op, success)},
            "400": {
                "description": "Invalid input",
                "content": {"application/json": {"schema": ERROR_SCHEMA}},
            },
            "404": {"description": "Not found", "content": {"application/json": {"schema": ERROR_SCHEMA}}},
        },
    }
    if op.auth:
        entry["security"] = [{"bearerAuth": []}, {"apiKey": []}]
        entry["responses"]["401"] = {"description": "Unauthorized"}
    if op.features:
        entry["responses"]["403"] = {"description": "Missing required features"}
    if op.method in ("POST", "PUT", "PATCH") or doc.get("request_example") is not None:
        upload = _is_upload(op)
        # The catalog lists alternatives as "multipart/form-data | application/json".
        documented_types = [
            t.strip() for t in (doc.get("request_content_type") or "application/json").split("|")
        ]
        content_types = documented_types
        if upload:  # an upload route also takes the documented JSON body (without its file fields)
            content_types = ["multipart/form-data", *(t for t in documented_types if t == "application/json")]
        schema = _body_schema(op)
        entry["requestBody"] = {
            "required": schema is not None,
            "content": {
                content_type: {
                    "schema": _body_as(schema, content_type, upload) or {"type": "object"},
                    "example": doc.get("request_example") or {},
                }
                for content_type in content_types
            },
        }
    return entry


@cache
def document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    COMPONENTS.clear()
    for op in sorted(REGISTRY.values(), key=lambda o: (o.path, o.method)):
        paths.setdefault("/api" + op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "CRM GraphQL gateway — REST compatibility API",
            "version": "0.1.0",
            "description": "The documented REST API served over the same resolvers as the GraphQL schema at /graphql.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(COMPONENTS.items())),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            },
        },
    }


def docs_page() -> str:
    rows = []
    for path, methods in document()["paths"].items():
        for method, entry in methods.items():
            features = ", ".join(entry.get("x-required-features", [])) or "—"
            rows.append(
                f"<tr><td><code>{method.upper()}</code></td><td><code>{html.escape(path)}</code></td>"
                f"<td>{html.escape(entry['summary'])}</td><td>{html.escape(features)}</td></tr>"
            )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>API docs</title>"
        "<style>body{font-family:sans-serif;margin:2em}td,th{padding:4px 8px;border-bottom:1px solid #ddd}"
        "table{border-collapse:collapse}</style></head><body>"
        "<h1>REST compatibility API</h1><p>Machine-readable: <a href='/api/docs/openapi.json'>openapi.json</a>."
        " GraphQL: <a href='/graphql'>/graphql</a>.</p>"
        f"<p>{len(rows)} operations.</p><table><tr><th>Method</th><th>Path</th><th>Summary</th>"
        f"<th>Features</th></tr>{''.join(rows)}</table></body></html>"
    )

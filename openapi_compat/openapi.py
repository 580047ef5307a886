"""OpenAPI 3.1 document and an HTML index, generated from the registered operations and the catalog."""

from __future__ import annotations

import html
import re
from functools import cache
from typing import Any

from crmgraph.catalog import documented
from openapi_compat.routing import REGISTRY, Operation

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
        "parameters": _parameters(op, doc),
        "responses": {
            str(op.status): {
                "description": "Success",
                "content": {"application/json": {"schema": {"type": "object"}, "example": success}},
            },
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
        content_type = doc.get("request_content_type") or "application/json"
        entry["requestBody"] = {
            "required": False,
            "content": {
                content_type: {"schema": {"type": "object"}, "example": doc.get("request_example") or {}}
            },
        }
    return entry


@cache
def document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
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
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            }
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

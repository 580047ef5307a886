"""List exports (``format=csv|json|xml|markdown``): rows of flat items, columns in first-seen order."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

EXPORT_FORMATS = ("csv", "json", "xml", "markdown")
CONTENT_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "xml": "application/xml",
    "markdown": "text/markdown",
}
EXTENSIONS = {"csv": "csv", "json": "json", "xml": "xml", "markdown": "md"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # spreadsheet formula injection


@dataclass(frozen=True)
class Export:
    body: str
    content_type: str
    filename: str


def columns(rows: list[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _csv_cell(value: Any) -> str:
    text = _cell(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _xml_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    return cleaned if re.match(r"^[A-Za-z_]", cleaned) else f"_{cleaned}"


def export(rows: list[dict[str, Any]], fmt: str, name: str) -> Export:
    heads = columns(rows)
    if fmt == "json":
        body = json.dumps(rows, default=str)
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(heads)
        writer.writerows([[_csv_cell(row.get(h)) for h in heads] for row in rows])
        body = out.getvalue()
    elif fmt == "xml":
        root = ElementTree.Element("items")
        for row in rows:
            item = ElementTree.SubElement(root, "item")
            for head in heads:
                ElementTree.SubElement(item, _xml_name(head)).text = _cell(row.get(head))
        body = ElementTree.tostring(root, encoding="unicode")
    else:
        escape = lambda text: text.replace("|", "\\|").replace("\n", " ")  # noqa: E731
        lines = ["| " + " | ".join(map(escape, heads)) + " |", "|" + " --- |" * len(heads)]
        lines += ["| " + " | ".join(escape(_cell(row.get(h))) for h in heads) + " |" for row in rows]
        body = "\n".join(lines) + "\n"
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", name) or "records"
    return Export(body, CONTENT_TYPES[fmt], f"{stem}.{EXTENSIONS[fmt]}")

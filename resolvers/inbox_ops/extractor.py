"""The deterministic extractor: contacts, order lines and a category from an email's text.

No model, no network: regular expressions over the sender, the signature and the body.

- contact: the sender (``Name <address>``), plus a phone number and a company found in the body
  (``Company: X`` / ``from X Ltd``); one ``create_contact`` action;
- order: lines like ``3 x Widget @ 12.50``, ``2 pcs Gadget`` or ``Qty: 4 Bolt``, a currency code
  (default ``USD``) and a ``PO`` reference; one ``create_order`` action when any line is found;
  lines without a price are reported as discrepancies;
- a ``draft_reply`` acknowledging the email, always;
- category: ``order`` when lines were found, ``inquiry`` for a question, ``support`` for problem
  words, else ``other``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

CATEGORIES = ("order", "inquiry", "support", "other")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?:phone|tel|mobile)\s*[:.]?\s*(\+?[0-9][0-9 ()./-]{6,20}[0-9])", re.IGNORECASE)
COMPANY = re.compile(r"(?:company|organi[sz]ation)\s*:\s*([^\n]{2,100})", re.IGNORECASE)
LINE = re.compile(
    r"^\s*[-*]?\s*(?:qty\s*:?\s*)?(?P<qty>\d{1,6}(?:[.,]\d{1,3})?)\s*(?:x|pcs|units?|×)\s+"
    r"(?P<item>[^@\n]{2,120}?)\s*(?:@\s*(?P<price>\d{1,9}(?:[.,]\d{1,2})?))?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
CURRENCY = re.compile(r"\b(USD|EUR|GBP|PLN|CHF)\b")
PO = re.compile(r"\b(?:PO|purchase order)\s*(?:#|no\.?|number)?\s*:?\s*([A-Z0-9-]{3,40})", re.IGNORECASE)
SUPPORT = re.compile(r"\b(broken|issue|problem|error|not working|complaint|refund)\b", re.IGNORECASE)


@dataclass
class Extraction:
    category: str
    summary: str
    confidence: Decimal
    actions: list[dict[str, Any]] = field(default_factory=list)
    discrepancies: list[dict[str, Any]] = field(default_factory=list)


def _decimal(raw: str | None) -> Decimal | None:
    if raw is None:
        return None
    try:
        return Decimal(raw.replace(",", "."))
    except InvalidOperation:
        return None


def split_name(name: str | None, address: str) -> tuple[str, str]:
    """First and last name from a display name, else from the address's local part."""
    words = (name or "").replace('"', "").split()
    if not words:
        words = [w.capitalize() for w in re.split(r"[._-]+", address.split("@")[0]) if w] or ["Unknown"]
    return words[0][:150], (" ".join(words[1:]) or "-")[:150]


def extract(from_address: str, from_name: str | None, subject: str, body: str) -> Extraction:
    """Everything the rules find in one email."""
    text = f"{subject}\n{body}"
    first, last = split_name(from_name, from_address)
    contact: dict[str, Any] = {"firstName": first, "lastName": last, "email": from_address.lower()}
    if phone := PHONE.search(text):
        contact["phone"] = phone.group(1).strip()
    if company := COMPANY.search(text):
        contact["company"] = company.group(1).strip()
    actions = [
        {
            "type": "create_contact",
            "description": f"Create contact {first} {last} <{from_address}>",
            "payload": contact,
        }
    ]
    discrepancies: list[dict[str, Any]] = []
    lines = []
    for match in LINE.finditer(body):
        quantity = _decimal(match.group("qty"))
        price = _decimal(match.group("price"))
        item = match.group("item").strip()
        line = {"item": item, "quantity": str(quantity)}
        if price is None:
            discrepancies.append({"type": "missing_price", "message": f"No unit price for {item}"})
        else:
            line["unitPrice"] = str(price)
        lines.append(line)
    if lines:
        currency = CURRENCY.search(text)
        order: dict[str, Any] = {"currencyCode": currency.group(1) if currency else "USD", "lines": lines}
        if po := PO.search(text):
            order["customerReference"] = po.group(1)
        total = sum(
            (Decimal(line["quantity"]) * Decimal(line["unitPrice"]) for line in lines if "unitPrice" in line),
            Decimal(0),
        )
        order["total"] = str(total)
        actions.append(
            {
                "type": "create_order",
                "description": f"Create order with {len(lines)} line(s)",
                "payload": order,
            }
        )
    category = (
        "order" if lines else "support" if SUPPORT.search(text) else "inquiry" if "?" in text else "other"
    )
    reply = {
        "to": from_address.lower(),
        "subject": subject if subject.lower().startswith("re:") else f"Re: {subject}".strip(),
        "body": f"Hello {first},\n\nThank you for your email. We are looking into it and will get back to you shortly.",
    }
    actions.append({"type": "draft_reply", "description": f"Reply to {from_address}", "payload": reply})
    confidence = (
        Decimal("0.90") if lines and not discrepancies else Decimal("0.60") if lines else Decimal("0.75")
    )
    summary = f"{category.capitalize()} from {first} {last}".strip()
    if lines:
        summary += f": {len(lines)} line(s)"
    return Extraction(category, summary[:2000], confidence, actions, discrepancies)

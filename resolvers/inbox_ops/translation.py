"""Proposal texts in another locale. The extractor writes its texts from fixed templates, so a
translation re-renders them from the stored structure (action payloads, counts, category) with the
target locale's templates — deterministic, no external service."""

from __future__ import annotations

from typing import Any

LOCALES = ("en", "de", "fr", "es", "pl")
TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "create_contact": "Create contact {name} <{email}>",
        "create_order": "Create order with {count} line(s)",
        "draft_reply": "Reply to {to}",
        "summary": "{category} from {name}",
        "lines": "{count} line(s)",
        "order": "Order",
        "inquiry": "Inquiry",
        "support": "Support",
        "other": "Other",
    },
    "de": {
        "create_contact": "Kontakt {name} <{email}> anlegen",
        "create_order": "Auftrag mit {count} Position(en) anlegen",
        "draft_reply": "Antwort an {to}",
        "summary": "{category} von {name}",
        "lines": "{count} Position(en)",
        "order": "Bestellung",
        "inquiry": "Anfrage",
        "support": "Support",
        "other": "Sonstiges",
    },
    "fr": {
        "create_contact": "Créer le contact {name} <{email}>",
        "create_order": "Créer une commande de {count} ligne(s)",
        "draft_reply": "Répondre à {to}",
        "summary": "{category} de {name}",
        "lines": "{count} ligne(s)",
        "order": "Commande",
        "inquiry": "Demande",
        "support": "Assistance",
        "other": "Autre",
    },
    "es": {
        "create_contact": "Crear el contacto {name} <{email}>",
        "create_order": "Crear un pedido con {count} línea(s)",
        "draft_reply": "Responder a {to}",
        "summary": "{category} de {name}",
        "lines": "{count} línea(s)",
        "order": "Pedido",
        "inquiry": "Consulta",
        "support": "Soporte",
        "other": "Otro",
    },
    "pl": {
        "create_contact": "Utwórz kontakt {name} <{email}>",
        "create_order": "Utwórz zamówienie z {count} pozycjami",
        "draft_reply": "Odpowiedz do {to}",
        "summary": "{category} od {name}",
        "lines": "{count} pozycji",
        "order": "Zamówienie",
        "inquiry": "Zapytanie",
        "support": "Wsparcie",
        "other": "Inne",
    },
}


def describe(locale: str, action_type: str, payload: dict[str, Any], fallback: str) -> str:
    template = TEMPLATES[locale].get(action_type)
    if template is None:
        return fallback
    name = f"{payload.get('firstName', '')} {payload.get('lastName', '')}".strip()
    values = {"name": name, "email": payload.get("email", ""), "to": payload.get("to", ""),
              "count": len(payload.get("lines") or [])}  # fmt: skip
    return template.format(**values)


def translate_proposal(proposal: Any, actions: list[Any], email: Any, locale: str) -> dict[str, Any]:
    """``{summary, actions: [{id, description}]}`` in ``locale``."""
    words = TEMPLATES[locale]
    contact = next((a.payload for a in actions if a.action_type == "create_contact"), {})
    order = next((a.payload for a in actions if a.action_type == "create_order"), None)
    name = f"{contact.get('firstName', '')} {contact.get('lastName', '')}".strip() or (
        email.from_address if email is not None else ""
    )
    summary = words["summary"].format(
        category=words.get(proposal.category or "other", words["other"]), name=name
    )
    if order:
        summary += ": " + words["lines"].format(count=len(order.get("lines") or []))
    described = [
        {"id": str(a.id), "description": describe(locale, a.action_type, a.payload or {}, a.description)}
        for a in actions
    ]
    return {"summary": summary, "actions": described}

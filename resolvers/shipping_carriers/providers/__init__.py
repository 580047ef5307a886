"""Carrier providers behind one interface (``base.CarrierProvider``): the built-in ``manual`` one and
the InPost ShipX client. ``provider(name, settings)`` gives the client of a provider key."""

from __future__ import annotations

from crmgraph.config import Settings
from resolvers.shipping_carriers.providers.base import CarrierProvider, ProviderError, UnknownProvider
from resolvers.shipping_carriers.providers.inpost import InpostProvider
from resolvers.shipping_carriers.providers.manual import ManualProvider

PROVIDERS: dict[str, type] = {"manual": ManualProvider, "inpost": InpostProvider}


def provider(name: str, settings: Settings) -> CarrierProvider:
    """The client of provider ``name``; an unknown key is a 400 (``UnknownProvider``)."""
    if name not in PROVIDERS:
        raise UnknownProvider(name)
    return PROVIDERS[name].from_settings(settings)


__all__ = ["PROVIDERS", "CarrierProvider", "ProviderError", "UnknownProvider", "provider"]

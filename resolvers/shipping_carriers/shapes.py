"""Typed inputs and outputs of the carrier operations (the REST bodies, GraphQL arguments and types)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic import Field as PydanticField

from resolvers.validation import text

Dimension = Annotated[Decimal, PydanticField(gt=0, max_digits=7, decimal_places=1, allow_inf_nan=False)]
Weight = Annotated[Decimal, PydanticField(gt=0, max_digits=6, decimal_places=3, allow_inf_nan=False)]
ProviderKey = text(50)


class CarrierParty(BaseModel):
    """A receiver or sender: a name (person or company), contact and address."""

    model_config = ConfigDict(extra="ignore")
    name: text(200) | None = None
    companyName: text(200) | None = None
    firstName: text(100) | None = None
    lastName: text(100) | None = None
    email: text(320) | None = None
    phone: text(32) | None = None
    street: text(200) | None = None
    buildingNumber: text(20) | None = None
    city: text(100) | None = None
    postCode: text(10) | None = None
    countryCode: text(2) | None = None


class CarrierParcel(BaseModel):
    """A carrier template (``small``...) or dimensions in mm and a weight in kg."""

    model_config = ConfigDict(extra="ignore")
    template: Literal["small", "medium", "large", "xlarge"] | None = None
    length: Dimension | None = None
    width: Dimension | None = None
    height: Dimension | None = None
    weight: Weight | None = None


class CarrierRatesInput(BaseModel):
    """Prices of a provider's services (one ``service`` or all) for parcels to a receiver."""

    model_config = ConfigDict(extra="ignore")
    provider: ProviderKey = "manual"
    service: text(100) | None = None
    receiver: CarrierParty | None = None
    sender: CarrierParty | None = None
    parcels: list[CarrierParcel] = PydanticField(
        default_factory=lambda: [CarrierParcel()], min_length=1, max_length=20
    )
    targetPoint: text(100) | None = None


class CarrierShipmentInput(CarrierRatesInput):
    """Book a shipment: a service of the provider, the receiver and the parcels."""

    service: text(100)
    receiver: CarrierParty
    reference: text(200) | None = None


class CarrierShipmentRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    shipmentId: text(64)


class CarrierTrackingInput(BaseModel):
    """A shipment of the caller, by id or by tracking number."""

    model_config = ConfigDict(extra="ignore")
    shipmentId: text(64) | None = None
    trackingNumber: text(100) | None = None
    provider: ProviderKey | None = None

    @model_validator(mode="after")
    def _one_key(self) -> CarrierTrackingInput:
        if not (self.shipmentId or self.trackingNumber):
            raise ValueError("shipmentId or trackingNumber is required")
        return self


class CarrierPointsInput(BaseModel):
    """Pickup points of a provider near a place, by name, city or post code."""

    model_config = ConfigDict(extra="ignore")
    provider: ProviderKey = "inpost"
    name: text(100) | None = None
    city: text(100) | None = None
    postCode: text(10) | None = None
    type: Literal["parcel_locker", "pop", "parcel_locker_only"] | None = None
    near: Annotated[str, PydanticField(pattern=r"^-?\d{1,3}(\.\d{1,8})?,-?\d{1,3}(\.\d{1,8})?$")] | None = (
        None
    )
    limit: int = PydanticField(default=25, ge=1, le=100)


class CarrierProviderInfo(BaseModel):
    key: str
    label: str
    configured: bool
    services: list[str]


class CarrierProviders(BaseModel):
    items: list[CarrierProviderInfo]


class CarrierRate(BaseModel):
    service: str
    label: str
    amount: Decimal
    currencyCode: str


class CarrierRates(BaseModel):
    provider: str
    rates: list[CarrierRate]


class CarrierTrackingEvent(BaseModel):
    status: str
    providerStatus: str | None = None
    occurredAt: str | None = None  # ``2025-01-01T00:00:00.000Z``
    description: str | None = None


class CarrierTracking(BaseModel):
    shipmentId: uuid.UUID
    provider: str
    trackingNumber: str | None = None
    status: str
    providerStatus: str | None = None
    events: list[CarrierTrackingEvent]


class CarrierPoint(BaseModel):
    name: str
    type: str | None = None
    status: str | None = None
    address: str | None = None
    city: str | None = None
    postCode: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    description: str | None = None


class CarrierPoints(BaseModel):
    provider: str
    items: list[CarrierPoint]

"""REST API for products and agreements (see shared/API.md).

ROUTES is registered by config/api_urls.py. Creation and every state change go through
``contracts.services`` so defaults and rules are the services'; a rule broken is 400 with
field keys (``terms.agency_ratio``), a state that forbids the change is 409.

- ``products``: products and their prices;
- ``terms``: the terms object of each agreement kind;
- ``agreements``: agreements, their activation, termination and renewal objections;
- ``fields``: what they share.
"""

from typing import Any

from contracts.api.agreements import (
    AGREEMENT_NOT_EDITABLE,
    BRAND_OBJECTS_AS_BRAND,
    KIND_FIXED,
    AgreementViewSet,
)
from contracts.api.products import (
    BRAND_FIXED,
    SKU_TAKEN,
    VALID_FROM_WITHOUT_PRICES,
    ProductViewSet,
)
from contracts.api.terms import TERMS_NOT_OBJECT, UNKNOWN_TERM, terms_parse

ROUTES: list[tuple[str, Any, str]] = [
    ("products", ProductViewSet, "product"),
    ("agreements", AgreementViewSet, "agreement"),
]

__all__ = [
    "AGREEMENT_NOT_EDITABLE",
    "BRAND_FIXED",
    "BRAND_OBJECTS_AS_BRAND",
    "KIND_FIXED",
    "ROUTES",
    "SKU_TAKEN",
    "TERMS_NOT_OBJECT",
    "UNKNOWN_TERM",
    "VALID_FROM_WITHOUT_PRICES",
    "terms_parse",
]

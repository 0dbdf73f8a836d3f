"""The VAT split every statement, notice and bill shows (reads only).

Amounts billed include VAT (价税合计). A statement keeps the VAT rate its agreement had
when the statement was made (``Statement.vat_rate``, set by the services while it is a
draft and never changed once issued); the split it shows for the agency's invoice is
``core.money.vat_split`` of its total at that rate. The split never changes what is owed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.money import VatSplit, vat_split

# What a statement carries when its agreement has no terms saved (modern services, 6%).
DEFAULT_VAT_RATE = Decimal("0.06")


def agreement_vat_rate(agreement: Any) -> Decimal:
    """The VAT rate of ``agreement``'s terms, or 6% when it has no terms yet."""
    terms = agreement.terms
    rate = getattr(terms, "vat_rate", None) if terms is not None else None
    return DEFAULT_VAT_RATE if rate is None else Decimal(rate)


def statement_vat(statement: Any) -> VatSplit:
    """The split of ``statement``'s total at the rate it stored: without tax, tax, total."""
    return vat_split(total=statement.total_due, rate=statement.vat_rate)

"""``{{ statement|vat_split }}``: the VAT split a statement shows (``settlements.vat``), for
the portal's and the admin's statement pages."""

from typing import Any

from django import template

from core.money import VatSplit
from settlements.vat import statement_vat

register = template.Library()


@register.filter
def vat_split(statement: Any) -> VatSplit:
    return statement_vat(statement)

"""A brand's invoicing details (开票信息): what the agency's invoices to it carry (名称,
纳税人识别号, 地址电话, 开户行及账号), and the names and bank accounts it pays from (read
when bank transactions are matched).

The rules are pure (``core.invoicing``); this module reads them for display, checks
what is written, and saves it with an audit event. Only a brand carries them. Brand
finance users keep them current in the portal; agency staff may write them in the admin
and the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from accounts import messages as msg
from accounts.models import Organization
from common.events import event_record
from core.exceptions import RuleViolation
from core.invoicing import (
    MAX_PAYER_ACCOUNT_LENGTH,
    MAX_PAYER_ENTRIES,
    MAX_PAYER_NAME_LENGTH,
    InvoicingDetailsError,
    Problem,
    payer_accounts_clean,
    payer_names_clean,
    tax_id_clean,
)

TEXT_FIELDS = ("invoice_title", "invoice_address_phone", "invoice_bank_account")
LIST_FIELDS = ("payer_names", "payer_accounts")
INVOICING_FIELDS = ("invoice_title", "tax_id", *TEXT_FIELDS[1:], *LIST_FIELDS)

_TAX_ID_MESSAGES = {
    Problem.TAX_ID_LENGTH: msg.TAX_ID_LENGTH,
    Problem.TAX_ID_CHARACTERS: msg.TAX_ID_CHARACTERS,
    Problem.TAX_ID_CHECK: msg.TAX_ID_CHECK,
}
_LIST_LIMITS = {"payer_names": MAX_PAYER_NAME_LENGTH, "payer_accounts": MAX_PAYER_ACCOUNT_LENGTH}


@dataclass(frozen=True)
class InvoicingDetails:
    """A brand's invoicing details as its pages show them."""

    title: str
    tax_id: str
    address_phone: str
    bank_account: str
    payer_names: tuple[str, ...]
    payer_accounts: tuple[str, ...]

    @property
    def is_given(self) -> bool:
        """Whether anything an invoice carries has been given yet."""
        return any((self.title, self.tax_id, self.address_phone, self.bank_account))


def invoicing_details(organization: Organization) -> InvoicingDetails:
    """The invoicing details kept on ``organization`` (empty texts when none are given)."""
    return InvoicingDetails(
        title=organization.invoice_title,
        tax_id=organization.tax_id,
        address_phone=organization.invoice_address_phone,
        bank_account=organization.invoice_bank_account,
        payer_names=tuple(organization.payer_names or ()),
        payer_accounts=tuple(organization.payer_accounts or ()),
    )


def _message(field: str, error: InvoicingDetailsError) -> str:
    if error.problem in _TAX_ID_MESSAGES:
        return _TAX_ID_MESSAGES[error.problem]
    if error.problem == Problem.ENTRY_EMPTY:
        return msg.ENTRY_EMPTY.format(position=error.position)
    if error.problem == Problem.ENTRY_TOO_LONG:
        return msg.ENTRY_TOO_LONG.format(position=error.position, max=_LIST_LIMITS[field])
    if error.problem == Problem.ENTRY_TWICE:
        return msg.ENTRY_TWICE.format(value=error.value)
    return msg.TOO_MANY.format(max=MAX_PAYER_ENTRIES)


def invoicing_details_clean(*, kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The invoicing fields of ``data`` as they are kept: texts trimmed, the taxpayer ID
    checked and normalized, the lists cleaned (``core.invoicing``). Fields not in
    ``data`` are left out. Raises ``RuleViolation`` with a message per field, all at once;
    an organization that is not a brand may only leave them empty.
    """
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for field in TEXT_FIELDS:
        if field in data:
            cleaned[field] = str(data[field] or "").strip()
    cleaners = {
        "tax_id": tax_id_clean,
        "payer_names": payer_names_clean,
        "payer_accounts": payer_accounts_clean,
    }
    for field, clean in cleaners.items():
        if field not in data:
            continue
        value = data[field] if data[field] is not None else ([] if field in LIST_FIELDS else "")
        try:
            cleaned[field] = clean(value)
        except InvoicingDetailsError as error:
            errors[field] = [_message(field, error)]
    if kind != Organization.Kind.BRAND:
        for field, value in cleaned.items():
            if value:
                errors.setdefault(field, []).append(msg.INVOICING_BRAND_ONLY)
    if errors:
        raise RuleViolation(errors)
    return cleaned


def may_edit_invoicing(user: Any, organization: Organization) -> bool:
    """Superusers, staff of the agency serving the brand, and the brand's finance users."""
    if getattr(user, "is_superuser", False):
        return True
    if getattr(user, "is_agency_staff", False):
        return bool(organization.agency_id and organization.agency_id == user.organization_id)
    return bool(
        getattr(user, "is_brand_finance", False) and user.organization_id == organization.pk
    )


@transaction.atomic
def organization_invoicing_update(
    *, organization: Organization, by: Any, data: Mapping[str, Any]
) -> Organization:
    """Check and save the invoicing fields given in ``data``; an audit event names the
    fields that changed (nothing changed: no event). ``by=None`` is the system."""
    if by is not None and not may_edit_invoicing(by, organization):
        raise RuleViolation({"non_field_errors": [msg.INVOICING_EDIT_FORBIDDEN]})
    cleaned = invoicing_details_clean(kind=organization.kind, data=data)
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    changed = sorted(
        field for field, value in cleaned.items() if getattr(organization, field) != value
    )
    if not changed:
        return organization
    for field in changed:
        setattr(organization, field, cleaned[field])
    organization.save(update_fields=changed)
    event_record(
        action="organization.changed",
        obj=organization,
        actor=by,
        detail={"fields": changed, "invoicing": True},
    )
    return organization

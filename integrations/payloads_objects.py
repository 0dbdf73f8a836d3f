"""Webhook payloads of the objects beyond statements and payments: invoices, obligations
and approvals, breach notices, balance confirmations. ``data`` is the object as the API
shows it (its own serializer); the robots get a short Chinese notice with the admin link.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models

from common.models import Event
from common.templatetags.portal import money_text
from integrations.formats import Notice
from obligations.api.breach import BreachNoticeSerializer
from obligations.api.obligations import ObligationSerializer
from obligations.models import BreachNotice, Obligation
from receivables.api import BalanceConfirmationSerializer
from receivables.models import BalanceConfirmation
from settlements.api.invoices import InvoiceSerializer
from settlements.models import Invoice


@dataclass(frozen=True)
class ObjectEvent:
    """How one webhook type finds its object and tells it."""

    model: type[models.Model]
    serializer: Any
    title: str  # the robot's title (Chinese, as the robots speak)
    admin: str  # the admin change page's URL name
    lines: Callable[[Any], list[tuple[str, str]]]
    related: tuple[str, ...] = ()
    # The object's id in the event's detail, when the event is recorded on another object
    # (an invoice's event is on its statement, so it shows in the statement's history).
    detail_key: str = ""


def _side(value: str) -> str:
    return {"agency": "代运营方", "brand": "品牌方"}.get(value, value or "—")


def _obligation_lines(obligation: Obligation) -> list[tuple[str, str]]:
    agreement = obligation.agreement
    return [
        ("协议", agreement.number),
        ("品牌", agreement.brand.name),
        ("义务", obligation.title),
        ("义务方", _side(obligation.owed_by)),
        ("到期日", obligation.due_on.isoformat()),
    ]


def _notice_lines(notice: BreachNotice) -> list[tuple[str, str]]:
    agreement = notice.agreement
    return [
        ("通知", notice.number),
        ("协议", agreement.number),
        ("品牌", agreement.brand.name),
        ("发出方", _side(notice.by)),
        ("纠正期限", notice.cure_by.isoformat()),
    ]


def _invoice_lines(invoice: Invoice) -> list[tuple[str, str]]:
    statement = invoice.statement
    return [
        ("发票号码", invoice.number),
        ("对账单", statement.number),
        ("品牌", statement.agreement.brand.name),
        ("金额", money_text(invoice.amount)),
    ]


def _confirmation_lines(confirmation: BalanceConfirmation) -> list[tuple[str, str]]:
    return [
        ("确认函", confirmation.number),
        ("品牌", confirmation.brand.name),
        ("截至", confirmation.as_of.isoformat()),
        ("未付本金", money_text(confirmation.total_outstanding)),
    ]


OBLIGATION = {
    "model": Obligation,
    "serializer": ObligationSerializer,
    "admin": "admin:obligations_obligation_change",
    "lines": _obligation_lines,
    "related": ("agreement__brand", "series", "promotion"),
}
NOTICE = {
    "model": BreachNotice,
    "serializer": BreachNoticeSerializer,
    "admin": "admin:obligations_breachnotice_change",
    "lines": _notice_lines,
    "related": ("agreement__brand", "obligation"),
}
CONFIRMATION = {
    "model": BalanceConfirmation,
    "serializer": BalanceConfirmationSerializer,
    "admin": "admin:receivables_balanceconfirmation_change",
    "lines": _confirmation_lines,
    "related": ("brand",),
}

# Webhook type → how it is told. Each audit-trail action behind it is in the catalogue.
OBJECT_EVENTS: dict[str, ObjectEvent] = {
    "invoice.recorded": ObjectEvent(
        model=Invoice,
        serializer=InvoiceSerializer,
        title="发票已登记",
        admin="admin:settlements_invoice_change",
        lines=_invoice_lines,
        related=("statement__agreement__brand",),
        detail_key="invoice",
    ),
    "obligation.missed": ObjectEvent(title="合同义务逾期未履行", **OBLIGATION),
    "approval.requested": ObjectEvent(title="审批申请待处理", **OBLIGATION),
    "approval.decided": ObjectEvent(title="审批已处理", **OBLIGATION),
    "breach_notice.sent": ObjectEvent(title="违约通知已发出", **NOTICE),
    "breach_notice.cured": ObjectEvent(title="违约已纠正", **NOTICE),
    "balance_confirmation.answered": ObjectEvent(title="品牌方已回复余额确认函", **CONFIRMATION),
}


def object_payload(
    event: Event, event_type: str, context: dict[str, Any], admin_url: Callable[..., str]
) -> tuple[int, dict[str, Any], Notice] | None:
    """The agency, ``data`` and robot notice of one event of ``OBJECT_EVENTS``; None when
    the object is gone (or the event names none)."""
    told = OBJECT_EVENTS[event_type]
    if told.detail_key:
        pk = (event.detail or {}).get(told.detail_key)
    else:
        pk = event.object_id if event.object_type == told.model._meta.model_name else None
    if not isinstance(pk, int):
        return None
    found = told.model._default_manager.select_related(*told.related).filter(pk=pk)
    obj = found.first()
    if obj is None:
        return None
    agency_id = _agency_of(obj)
    data = dict(told.serializer(obj, context=context).data)
    lines = told.lines(obj)
    if event.action in ("approval.approved", "approval.rejected"):
        lines.append(("结果", "同意" if event.action == "approval.approved" else "不同意"))
    if event.action == "balance_confirmation.disputed":
        lines.append(("结果", "有异议"))
    notice = Notice(title=told.title, lines=lines, link=admin_url(told.admin, obj.pk))
    return agency_id, data, notice


def _agency_of(obj: Any) -> int:
    if isinstance(obj, Invoice):
        return int(obj.statement.agreement.agency_id)
    if isinstance(obj, BalanceConfirmation):
        return int(obj.agency_id)
    return int(obj.agreement.agency_id)

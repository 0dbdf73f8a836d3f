"""What a webhook says about an audit-trail event: the object as the API shows it
(``data``), and for the group robots a short Chinese notice with the admin link.

``data`` is written by the API's own serializers (``settlements.api``, ``kpis.api``), so
a webhook and ``GET statements/{id}/`` show a statement alike. A daily run is cut to the
agency's own part, as its staff read it in the API. Links are absolute:
``PORTAL_BASE_URL`` for the API's, ``ADMIN_BASE_URL`` for the admin pages the robots link.
"""

from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from common.event_types import event_label
from common.models import Event
from common.templatetags.portal import money_text
from integrations.formats import Notice
from integrations.payloads_objects import OBJECT_EVENTS, object_payload
from kpis.api.sales import SalesImportSerializer
from kpis.models import SalesImport
from settlements.api.daily import DailyRunSerializer
from settlements.api.payments import PaymentSerializer
from settlements.api.statements import StatementSerializer
from settlements.models import DailyRun, Payment, Statement
from settlements.selectors import amount_paid

# A robot message lists at most this many failures of a daily run.
ROBOT_ERRORS_SHOWN = 5


@dataclass
class Payload:
    """One event as one agency's webhooks receive it."""

    agency_id: int
    data: dict[str, Any]
    notice: Notice


class _Request:
    """The little of a request the API's serializers read: absolute URLs and the user."""

    def __init__(self, user: Any = None) -> None:
        self.user = user

    def build_absolute_uri(self, location: str) -> str:
        return settings.PORTAL_BASE_URL.rstrip("/") + location


def _context(user: Any = None) -> dict[str, Any]:
    return {"request": _Request(user)}


def admin_url(name: str, *args: Any) -> str:
    base = getattr(settings, "ADMIN_BASE_URL", "") or settings.PORTAL_BASE_URL
    return base.rstrip("/") + reverse(name, args=args)


def _day(value: date | None) -> str:
    return value.isoformat() if value else "—"


def _cut(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- statements, notices and payments -----------------------------------------------------


def _statement(event: Event) -> Statement | None:
    if event.object_type != "statement" or event.object_id is None:
        return None
    return (
        Statement.objects.select_related("agreement__brand", "agreement__agency", "penalty_of")
        .filter(pk=event.object_id)
        .first()
    )


def _statement_lines(statement: Statement) -> list[tuple[str, str]]:
    agreement = statement.agreement
    number = statement.number
    lines = [("对账单", number), ("品牌", agreement.brand.name), ("协议", agreement.number)]
    with translation.override("zh-hans"):
        what = statement.period or str(statement.get_kind_display())
    lines.append(("账期" if statement.period else "类型", what))
    lines.append(("金额", money_text(statement.total_due)))
    return lines


STATEMENT_TITLES = {
    "statement.issued": "对账单已出具",
    "statement.confirmed": "品牌方已确认对账单",
    "statement.disputed": "品牌方对对账单提出异议",
    "statement.deemed_confirmed": "对账单回执期满，视为确认",
    "penalty_notice.issued": "违约金通知已出具",
}


def _statement_payload(event: Event, event_type: str) -> list[Payload]:
    statement = _statement(event)
    if statement is None:
        return []
    lines = _statement_lines(statement)
    if event_type == "statement.issued":
        if statement.receipt_due_on:
            lines.append(("回执期限", _day(statement.receipt_due_on)))
        lines.append(("付款期限", _day(statement.payment_due_on)))
    elif event_type in ("statement.confirmed", "statement.deemed_confirmed"):
        lines += [
            ("确认日期", _day(statement.confirmed_on)),
            ("付款期限", _day(statement.payment_due_on)),
        ]
    elif event_type == "statement.disputed":
        lines.append(("异议日期", _day(statement.disputed_on)))
        if statement.dispute_comment:
            lines.append(("异议说明", _cut(statement.dispute_comment, 200)))
    elif event_type == "penalty_notice.issued":
        if statement.penalty_of is not None:
            lines.append(("原对账单", statement.penalty_of.number))
        lines += [
            ("计至", _day(statement.penalty_as_of)),
            ("付款期限", _day(statement.payment_due_on)),
        ]
    notice = Notice(
        title=f"{STATEMENT_TITLES[event_type]}：{statement.number}",
        lines=lines,
        link=admin_url("admin:settlements_statement_change", statement.pk),
        alert=event_type in ("statement.disputed", "penalty_notice.issued"),
    )
    data = dict(StatementSerializer(statement, context=_context()).data)
    return [Payload(statement.agreement.agency_id, data, notice)]


def _payment_payload(event: Event) -> list[Payload]:
    statement = _statement(event)
    if statement is None:
        return []
    detail = event.detail or {}
    payments = Payment.objects.filter(statement=statement, created_at__lte=event.at)
    if detail.get("amount"):
        payments = payments.filter(amount=detail["amount"])
    if detail.get("paid_on"):
        payments = payments.filter(paid_on=detail["paid_on"])
    payment = payments.order_by("-created_at", "-pk").first()
    if payment is None:
        return []
    outstanding = statement.total_due - amount_paid(statement)
    lines = [
        ("金额", money_text(payment.amount)),
        ("付款日期", _day(payment.paid_on)),
        *_statement_lines(statement)[:3],
        ("尚欠", money_text(outstanding)),
    ]
    if payment.reference:
        lines.append(("付款备注", _cut(payment.reference, 100)))
    notice = Notice(
        title=f"收到付款：{statement.number}",
        lines=lines,
        link=admin_url("admin:settlements_statement_change", statement.pk),
    )
    data = dict(PaymentSerializer(payment, context=_context()).data)
    return [Payload(statement.agreement.agency_id, data, notice)]


# --- flags, daily runs, imports -----------------------------------------------------------


def _flag_payload(event: Event) -> list[Payload]:
    agreement = event.agreement
    if agreement is None:
        return []
    name = event.action.removeprefix("flag.")
    statement = _statement(event)
    detail = dict(event.detail or {})
    with translation.override("en"):
        label = event_label(event.action)
    with translation.override("zh-hans"):
        label_zh = event_label(event.action)
    data = {
        "flag": name,
        "label": label,
        "as_of": detail.get("as_of"),
        "period": detail.get("period"),
        "agreement": agreement.pk,
        "agreement_number": agreement.number,
        "statement": dict(StatementSerializer(statement, context=_context()).data)
        if statement is not None
        else None,
        "detail": detail,
    }
    lines = [("协议", agreement.number), ("品牌", agreement.brand.name)]
    if statement is not None:
        lines += [("对账单", statement.number), ("金额", money_text(statement.total_due))]
    if detail.get("period"):
        lines.append(("账期", str(detail["period"])))
    if detail.get("days"):
        lines.append(("逾期天数", str(detail["days"])))
    lines.append(("日期", str(detail.get("as_of") or "—")))
    link = (
        admin_url("admin:settlements_statement_change", statement.pk)
        if statement is not None
        else admin_url("admin:contracts_agreement_change", agreement.pk)
    )
    notice = Notice(title=f"提醒：{label_zh}", lines=lines, link=link, alert=True)
    return [Payload(agreement.agency_id, data, notice)]


def _daily_run_payloads(event: Event) -> list[Payload]:
    run = DailyRun.objects.filter(pk=event.object_id).first() if event.object_id else None
    if run is None:
        return []
    agencies = sorted({e["agency"] for e in run.errors or [] if e.get("agency")})
    payloads = []
    for agency_id in agencies:
        # The agency's part of the run, as its staff read it in the API.
        viewer = SimpleNamespace(is_superuser=False, organization_id=agency_id)
        data = dict(DailyRunSerializer(run, context=_context(viewer)).data)
        errors = data.get("errors") or []
        lines = [("运行至", _day(run.until)), ("失败条数", str(len(errors)))]
        for error in errors[:ROBOT_ERRORS_SHOWN]:
            lines.append(
                (
                    _cut(error.get("object") or error.get("step") or "—", 40),
                    _cut(error.get("error", ""), 120),
                )
            )
        notice = Notice(
            title="每日任务部分失败",
            lines=lines,
            link=admin_url("admin:settlements_dailyrun_change", run.pk),
            alert=True,
        )
        payloads.append(Payload(agency_id, data, notice))
    return payloads


def _import_payload(event: Event) -> list[Payload]:
    agreement = event.agreement
    import_id = (event.detail or {}).get("import")
    sales_import = SalesImport.objects.filter(pk=import_id).first() if import_id else None
    if agreement is None or sales_import is None:
        return []
    data = dict(SalesImportSerializer(sales_import, context=_context()).data)
    lines = [
        ("协议", agreement.number),
        ("品牌", agreement.brand.name),
        ("文件", _cut(sales_import.original_name, 80)),
        ("错误数", str((event.detail or {}).get("errors", len(data.get("errors") or [])))),
    ]
    notice = Notice(
        title="销售导入被拒绝",
        lines=lines,
        link=admin_url("admin:kpis_salesimport_change", sales_import.pk),
        alert=True,
    )
    return [Payload(agreement.agency_id, data, notice)]


def payloads_for(event: Event, event_type: str) -> list[Payload]:
    """The payloads of one recorded event, one per agency concerned (none if its object
    is gone)."""
    if event_type == "payment.recorded":
        return _payment_payload(event)
    if event_type == "flag.raised":
        return _flag_payload(event)
    if event_type == "daily_run.failed":
        return _daily_run_payloads(event)
    if event_type == "import.failed":
        return _import_payload(event)
    if event_type in OBJECT_EVENTS:
        told = object_payload(event, event_type, _context(), admin_url)
        return [Payload(*told)] if told is not None else []
    return _statement_payload(event, event_type)


def ping_payload(subscription: Any) -> Payload:
    """The test event: it names the webhook and says nothing else."""
    data = {
        "webhook": subscription.pk,
        "message": "A test event from Agency settlements (代运营结算): the webhook works.",
    }
    notice = Notice(
        title="测试消息",
        lines=[("推送", str(subscription)), ("说明", "这是一条测试消息，推送设置正确。")],
        link=admin_url("admin:integrations_webhooksubscription_change", subscription.pk),
    )
    return Payload(subscription.organization_id, data, notice)

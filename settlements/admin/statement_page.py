"""A statement's page in the staff admin: what it shows, read-only, in the page's one
language, and which of its actions apply.

The figures and the words that explain them are the ones the portal and the PDF show
(``settlements.portal.statements.figure_rows``, ``settlements.portal.explain``,
``settlements.detail``); this module picks them up for the admin's page and adds what
only the agency reads: every event of the statement's history, the penalty position as
of today and the actions staff may take.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts import roles
from accounts.invoicing import invoicing_details
from common import i18n
from common.event_types import event_label
from common.models import Event
from common.portal import is_zh, iso_date_text
from common.templatetags.portal import money_text
from settlements import calculations as calc
from settlements import detail, documents, selectors, services
from settlements.models import Statement
from settlements.portal.explain import statement_explanation
from settlements.portal.labels import awaits_receipt
from settlements.portal.statements import figure_rows
from settlements.vat import statement_vat

# The kinds of statement line, in words (the codes are ``calculations.LineKind``).
LINE_KINDS = {
    calc.LineKind.COMMISSION: gettext_lazy("Sales commission"),
    calc.LineKind.SERVICE_FEE: gettext_lazy("Service fee"),
    calc.LineKind.FEE_WITHHELD: gettext_lazy("Service fee withheld"),
    calc.LineKind.CARRIED_IN: gettext_lazy("Carried in"),
    calc.LineKind.CARRIED_FORWARD: gettext_lazy("Carried forward"),
    calc.LineKind.AGENCY_SHARE: gettext_lazy("Agency share"),
    calc.LineKind.EXPENSE: gettext_lazy("Marketing expense"),
    calc.LineKind.ADJUSTMENT: gettext_lazy("Prior-period adjustment"),
    calc.LineKind.SETUP_FEE: gettext_lazy("Setup fee"),
    calc.LineKind.INSTALLMENT: gettext_lazy("Installment"),
    calc.LineKind.PENALTY: gettext_lazy("Late penalty"),
}


def one_language(text: str, zh: bool | None = None) -> str:
    """The half of a "中文 / English" text in the page's language (``zh`` to choose), as
    ``common.i18n.one_language`` picks it; also when the Chinese half ends in a full-width
    bracket, which carries its own space ("…）/ English", see
    ``calculations._separator_after``)."""
    language = None if zh is None else ("zh-hans" if zh else "en")
    return i18n.one_language((text or "").replace("）/ ", "） / "), language)


# --- actions ------------------------------------------------------------------------------

ISSUE, PAYMENT, REPLY, DISPUTE, WITHDRAWAL, VOID, CORRECT = (
    "issue",
    "payment",
    "reply",
    "dispute",
    "withdrawal",
    "void",
    "correct",
)
ACTIONS = (ISSUE, PAYMENT, REPLY, DISPUTE, WITHDRAWAL, VOID, CORRECT)


def action_applies(name: str, statement: Statement, today: date) -> bool:
    """Whether the action ``name`` applies to ``statement`` in its state (as of ``today``)."""
    status = statement.status
    if name == ISSUE:
        return status == Statement.Status.DRAFT
    if name == PAYMENT:
        return statement.is_open and statement.payment_status != Statement.PaymentStatus.PAID
    if name == REPLY:
        return status == Statement.Status.DISPUTED and statement.replied_on is None
    if name == DISPUTE:
        return awaits_receipt(statement)
    if name == WITHDRAWAL:
        return status == Statement.Status.DISPUTED
    if name == VOID:
        return statement.is_open
    if name == CORRECT:
        return (
            status == Statement.Status.VOID
            and not Statement.objects.filter(previous_version=statement).exists()
        )
    raise ValueError(name)


def applicable_actions(statement: Statement, user: Any, today: date) -> list[str]:
    """The actions ``user`` may take on ``statement`` now, in the order the page shows them."""
    if not roles.is_staff_for(user, statement.agreement):
        return []
    return [name for name in ACTIONS if action_applies(name, statement, today)]


# --- the page -----------------------------------------------------------------------------

STATUS_VARIANTS = {
    Statement.Status.DRAFT: "",
    Statement.Status.ISSUED: "info",
    Statement.Status.CONFIRMED: "success",
    Statement.Status.DISPUTED: "warning",
    Statement.Status.VOID: "danger",
}
PAYMENT_VARIANTS = {
    Statement.PaymentStatus.UNPAID: "",
    Statement.PaymentStatus.PARTIALLY_PAID: "info",
    Statement.PaymentStatus.PAID: "success",
}


@dataclass(frozen=True)
class Badge:
    text: str
    variant: str


def status_badge(statement: Statement, today: date) -> Badge:
    """The review status as the daily job leaves it: past its receipt deadline an issued
    statement reads confirmed (by silence), even before the job records it."""
    silent_on = selectors.confirmed_by_silence_on(statement, today=today)
    if silent_on is not None:
        return Badge(_("Confirmed by silence"), "success")
    return Badge(statement.get_status_display(), STATUS_VARIANTS.get(statement.status, ""))


def payment_badge(statement: Statement) -> Badge:
    return Badge(
        statement.get_payment_status_display(),
        PAYMENT_VARIANTS.get(statement.payment_status, ""),
    )


def days_overdue(statement: Statement, today: date) -> int:
    """Days past the payment due date with principal unpaid (0 when not overdue)."""
    due = statement.payment_due_on
    if (
        not statement.is_open
        or due is None
        or statement.payment_status == Statement.PaymentStatus.PAID
        or due >= today
    ):
        return 0
    return (today - due).days


def days_text(days: int) -> str:
    """ "12 days" / "12 天"."""
    return ngettext("%(days)s day", "%(days)s days", days) % {"days": days}


def _lines(statement: Statement, zh: bool) -> list[dict[str, Any]]:
    return [
        {
            "position": line.position,
            "kind": LINE_KINDS.get(line.kind, line.kind),
            "description": one_language(line.description, zh),
            "amount": line.amount,
        }
        for line in statement.lines.all()
    ]


def _kpis(statement: Statement, zh: bool) -> dict[str, Any] | None:
    """A B2B month's KPIs against its minimums, and what they did to the service fee."""
    kpis = detail.kpi_rows(statement)
    figures = statement.figures or {}
    if kpis is None:
        if not detail.is_b2b(statement) or statement.kind != Statement.Kind.MONTHLY:
            return None
        return {"rows": [], "note": "", "verdict": _("No KPI record for this month.")}
    rows, note = detail.kpi_table(kpis, lambda texts: detail.pick(texts, zh))
    for cells, row in zip(rows, kpis.rows, strict=True):
        if row.key == calc.MINIMUM_SALES_AMOUNT:  # money: ¥ before the figures
            cells[1], cells[2] = f"¥{cells[1]}", f"¥{cells[2]}"
    missed = figures.get("missed") or []
    if not missed:
        verdict = _("Every monthly minimum was met: the service fee is billed.")
    elif figures.get("waiver_reason"):
        verdict = _(
            "Minimums were missed, but the brand agreed to pay the service fee anyway: %(reason)s"
        ) % {"reason": figures["waiver_reason"]}
    else:
        verdict = _("Minimums were missed: the service fee is withheld this month.")
    return {
        "rows": [
            {"name": r[0], "actual": r[1], "required": r[2], "met": r[3], "ok": row.met}
            for r, row in zip(rows, kpis.rows, strict=True)
        ],
        "note": note,
        "verdict": verdict,
    }


def _penalty(statement: Statement, today: date) -> dict[str, Any] | None:
    """The penalty position of an open statement with a daily rate, as of today, and the
    spans of days it adds up from."""
    if statement.kind == Statement.Kind.PENALTY or not statement.penalty_rate_per_day:
        return None
    if not statement.is_open:
        return None
    state = selectors.statement_penalty(statement=statement, as_of=today)
    spans = []
    if state.penalty:
        for span in detail.penalty_figures(statement, as_of=today)["spans"]:
            spans.append(
                {
                    "start": date.fromisoformat(span["start"]),
                    "end": date.fromisoformat(span["end"]),
                    "days": span["days"],
                    "principal": span["principal"],
                    "rate": span["rate"],
                    "amount": f"¥{documents.format_exact(Decimal(span['amount']))}",
                }
            )
    return {
        "state": state,
        "net": state.penalty_net_of_waivers,
        "unbilled": max(state.penalty_net_of_waivers - state.billed, 0),
        "spans": spans,
        "termination_days": selectors.termination_overdue_days(statement),
    }


def _actor(event: Event, statement: Statement) -> str:
    actor = event.actor
    if actor is None:
        return _("System")
    name = actor.get_full_name() or actor.get_username()
    if actor.organization_id == statement.agreement.brand_id:
        return _("%(name)s (the brand)") % {"name": name}
    return name


# Events whose message the product wrote itself, in both languages.
SYSTEM_MESSAGES = frozenset({"statement.deemed_confirmed", "statement.dispute_withdrawn"})


def _event_note(event: Event, zh: bool) -> str:
    """What an event adds in words: the amount and day of a payment, the dates an issue
    set, the comment, reason or reply it carried."""
    info = event.detail or {}
    if event.action == "payment.recorded":
        note = _("%(amount)s paid on %(day)s") % {
            "amount": money_text(info.get("amount")),
            "day": iso_date_text(info.get("paid_on")),
        }
        if info.get("reference"):
            note += f" · {info['reference']}"
        return note
    if event.action == "statement.issued":
        note = money_text(info.get("total_due"))
        if info.get("payment_due_on"):
            note += " · " + _("payment due %(day)s") % {
                "day": iso_date_text(info["payment_due_on"])
            }
        return note
    if event.action == "statement.generated" and info.get("corrects"):
        return _("corrects %(number)s") % {"number": info["corrects"]}
    if event.action == "penalty.waived":
        return f"{money_text(info.get('amount'))} · {event.message}"
    if event.action in SYSTEM_MESSAGES:
        return one_language(event.message, zh)
    return event.message  # a comment, reason or reply as the person wrote it


def history_rows(statement: Statement) -> list[dict[str, Any]]:
    """Every event of the statement, oldest first, its time in Asia/Shanghai."""
    zh = is_zh()
    events = (
        Event.objects.filter(object_type="statement", object_id=statement.pk)
        .select_related("actor")
        .order_by("at", "pk")
    )
    return [
        {
            "at": timezone.localtime(event.at),
            "label": event_label(event.action),
            "actor": _actor(event, statement),
            "note": _event_note(event, zh),
        }
        for event in events
    ]


def _versions(statement: Statement) -> list[Statement]:
    """Every version of the statement (the chain of corrections), oldest first."""
    return list(
        Statement.objects.filter(
            agreement_id=statement.agreement_id, base_number=statement.base_number
        ).order_by("version")
    )


def invoices_context(statement: Statement, user: Any) -> dict[str, Any]:
    """The statement's invoices (发票), what they add up to, and whether staff may record
    one more (an open bill not yet invoiced in full)."""
    invoices = list(statement.invoices.order_by("issued_on", "pk"))
    invoiced = services.invoiced_amount(statement)
    return {
        "invoices": invoices,
        "invoiced": invoiced,
        "awaits_invoice": services.awaits_invoice(statement),
        "can_invoice": statement.is_open
        and invoiced < statement.total_due
        and roles.is_staff_for(user, statement.agreement),
        "invoice_add_url": f"{reverse('admin:settlements_invoice_add')}?statement={statement.pk}",
    }


def admin_url(name: str, *args: Any) -> str:
    return reverse(f"admin:{name}", args=args)


def page_context(statement: Statement, user: Any, today: date) -> dict[str, Any]:
    """Everything the statement's page shows."""
    zh = is_zh()
    paid = selectors.amount_paid(statement)
    explain = statement_explanation(statement, zh=zh)
    versions = _versions(statement)
    previous = statement.previous_version
    following = next((v for v in versions if v.version == statement.version + 1), None)
    reply_by = (
        selectors.dispute_reply_by(statement)
        if statement.status == Statement.Status.DISPUTED and statement.disputed_on
        else None
    )
    actions = applicable_actions(statement, user, today)
    overdue = days_overdue(statement, today)
    return {
        "statement": statement,
        "agreement": statement.agreement,
        "brand": statement.agreement.brand,
        "agreement_url": admin_url("contracts_agreement_change", statement.agreement_id),
        "brand_url": admin_url("accounts_organization_change", statement.agreement.brand_id),
        "status_badge": status_badge(statement, today),
        "payment_badge": payment_badge(statement),
        "silent_on": selectors.confirmed_by_silence_on(statement, today=today),
        "days_overdue": overdue,
        "days_text": days_text(overdue),
        "overdue_text": f"{_('Overdue')} {days_text(overdue)}",
        "paid": paid,
        "outstanding": statement.total_due - paid if statement.is_open else None,
        "vat": statement_vat(statement),
        "invoicing": invoicing_details(statement.agreement.brand),
        "lines": _lines(statement, zh),
        "figures": figure_rows(statement),
        "profit": explain["profit"],
        "profit_title": explain["profit_title"],
        "notice_penalty": explain["penalty"],
        "late_issue": explain["late_issue"],
        "accrual": explain["accrual"],
        "kpis": _kpis(statement, zh),
        "penalty": _penalty(statement, today),
        "principal": statement.penalty_of,
        "notices": list(statement.penalty_notices.order_by("penalty_as_of", "pk")),
        "payments": list(statement.payments.select_related("recorded_by", "moved_from")),
        "attachments": list(statement.dispute_attachments.all()),
        **invoices_context(statement, user),
        "reply_by": reply_by,
        "reply_late": bool(reply_by and reply_by < today and statement.replied_on is None),
        "versions": versions if len(versions) > 1 else [],
        "previous": previous,
        "following": following,
        "history": history_rows(statement),
        "actions": actions,
        "can_waive": roles.is_staff_for(user, statement.agreement),
        "has_detail": statement.kind == Statement.Kind.MONTHLY
        and statement.status != Statement.Status.VOID,
        "calendar_note": one_language(statement.calendar_note, zh),
    }

"""The brand's statements: the filtered list, one statement with its lines, figures,
payments, penalty, versions and history, and its PDF.

A statement is looked up in the brand's scoped queryset, so another brand's id answers
404, the PDF included.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView

from accounts import roles
from common import clock
from common.calendar import work_calendar
from common.event_types import BRAND_VISIBLE, event_label
from common.models import Event
from common.portal import BrandPortalMixin, is_zh, iso_date_text
from common.templatetags.portal import money_text, percent_text
from contracts.models import Agreement
from core.exceptions import DomainError
from core.money import ZERO
from core.periods import Period
from settlements import calculations as calc
from settlements import documents, selectors
from settlements.models import Statement
from settlements.portal.explain import statement_explanation
from settlements.portal.labels import (
    AGREEMENT_KIND_LABELS,
    FILTER_PAYMENTS,
    FILTER_STATUSES,
    OVERDUE,
    VIEWERS_CANNOT_ACT,
    awaits_receipt,
    label,
    visible_agreements,
    visible_statements,
)
from settlements.services.invoices import counting_invoices, invoice_before_payment

PAGE_SIZE = 20


class StatementFilterForm(forms.Form):
    agreement = forms.ChoiceField(label=gettext_lazy("Agreement"), required=False)
    period = forms.CharField(
        label=gettext_lazy("Period"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-08"}),
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    payment = forms.ChoiceField(label=gettext_lazy("Payment"), required=False)

    def __init__(self, *args: Any, agreements: QuerySet[Agreement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = ("", _("All"))
        self.fields["agreement"].choices = [everything] + [
            (str(a.pk), f"{a.number} {a.title}") for a in agreements.order_by("number")
        ]
        self.fields["status"].choices = [everything, *FILTER_STATUSES]
        self.fields["payment"].choices = [everything, *FILTER_PAYMENTS]

    def clean_period(self) -> str:
        value = (self.cleaned_data.get("period") or "").strip()
        if not value:
            return ""
        try:
            return str(Period.parse(value))
        except ValueError:
            raise ValidationError(_("Write the period as YYYY-MM, e.g. 2026-08.")) from None


class StatementListView(BrandPortalMixin, TemplateView):
    template_name = "portal/statements.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = clock.today()
        agreements = visible_agreements(self)
        form = StatementFilterForm(self.request.GET or None, agreements=agreements)
        statements = visible_statements(self).order_by("-issued_on", "-pk")
        filtered = False
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            if data["agreement"]:
                statements = statements.filter(agreement_id=data["agreement"])
            if data["period"]:
                statements = statements.filter(period=data["period"])
            if data["status"]:
                statements = statements.filter(_status_as_shown(data["status"], clock.today()))
            if data["payment"] == OVERDUE:
                statements = (
                    statements.open()
                    .filter(payment_due_on__lt=today)
                    .exclude(payment_status=Statement.PaymentStatus.PAID)
                )
            elif data["payment"]:
                statements = statements.filter(payment_status=data["payment"])
            filtered = any(data.values())
        page = Paginator(statements, PAGE_SIZE).get_page(self.request.GET.get("page"))
        paid = selectors.amounts_paid(page.object_list)
        for statement in page.object_list:
            label(statement)
            statement.paid_amount = paid.get(statement.pk, ZERO)  # type: ignore[attr-defined]
            statement.outstanding = statement.total_due - statement.paid_amount  # type: ignore[attr-defined]
            statement.is_overdue = bool(  # type: ignore[attr-defined]
                statement.is_open
                and statement.payment_status != Statement.PaymentStatus.PAID
                and statement.payment_due_on
                and statement.payment_due_on < today
            )
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            {
                "form": form,
                "page": page,
                "filtered": filtered,
                "query": query.urlencode(),
                "has_any": visible_statements(self).exists(),
            }
        )
        return context


def _figure_value(value: Any, kind: str) -> str:
    if kind == documents.MONEY:
        return money_text(value)
    if kind == documents.RATIO:
        return percent_text(value)
    if kind == documents.PERCENT:
        return f"{Decimal(str(value)).normalize():f}%"
    if kind == documents.FLAG:
        return _("Yes") if value else _("No")
    if kind == documents.MISSED:
        names = [value] if isinstance(value, str) else list(value)
        if is_zh():
            return "、".join(calc.MINIMUM_NAMES_ZH.get(n, n) for n in names)
        return ", ".join(calc.MINIMUM_NAMES_EN.get(n, n) for n in names)
    if kind == documents.DAYS:
        return ngettext("%(days)s day", "%(days)s days", int(value)) % {"days": value}
    return str(value)


def figure_rows(statement: Statement) -> list[dict[str, Any]]:
    """The figures box of the statement, as on its PDF, in the active language."""
    figures = dict(statement.figures or {})
    if statement.kind == Statement.Kind.INSTALLMENT:
        table = documents.INSTALLMENT_FIGURES
    elif statement.kind == Statement.Kind.PENALTY:
        table = documents.PENALTY_FIGURES
    elif statement.kind == Statement.Kind.MONTHLY:
        kind = (statement.snapshot or {}).get("agreement", {}).get("kind") or (
            statement.agreement.kind
        )
        table = (
            documents.B2B_FIGURES
            if kind == Agreement.Kind.B2B_COMMISSION
            else documents.REVENUE_SHARE_FIGURES
        )
    else:
        return []
    rows = []
    for figure in table:
        value = figures.get(figure.key)
        if value is None:
            continue
        if figure.show == documents.NONZERO and documents._is_zero(value):
            continue
        if figure.show == documents.TRUE and value is not True:
            continue
        rows.append(
            {
                "label": figure.zh if is_zh() else figure.en,
                "value": _figure_value(value, figure.format),
                "strong": figure.strong,
            }
        )
    return rows


def _actor(event: Event, statement: Statement) -> str:
    actor = event.actor
    if actor is None:
        return _("System")
    if actor.organization_id == statement.agreement.brand_id:
        return actor.get_full_name() or actor.get_username()
    return statement.agreement.agency.name


def history_rows(statement: Statement) -> list[dict[str, Any]]:
    events = (
        Event.objects.filter(object_type="statement", object_id=statement.pk)
        .select_related("actor")
        .order_by("at", "pk")
    )
    rows = []
    for event in events:
        if event.action not in BRAND_VISIBLE:  # drafts, runs and the like stay internal
            continue
        detail = event.detail or {}
        note = event.message
        if event.action == "payment.recorded":
            note = f"{money_text(detail.get('amount'))} · {iso_date_text(detail.get('paid_on'))}"
        rows.append(
            {
                "at": event.at,
                "text": event_label(event.action),
                "actor": _actor(event, statement),
                "note": note,
            }
        )
    return rows


def _window_date(statement: Statement, window: Any) -> date | None:
    """The first day payments are expected (revenue share: the 15th of the next month)."""
    if not window:
        return None
    try:
        return date.fromisoformat(documents._payment_window(statement, window))
    except ValueError:
        return None


def _status_as_shown(status: str, today: date) -> Q:
    """The status filter as the brand reads it: a statement past its receipt deadline is
    confirmed (by silence), even before the daily job has recorded it."""
    silent = Q(status=Statement.Status.ISSUED, receipt_due_on__lt=today)
    if status == Statement.Status.CONFIRMED:
        return Q(status=status) | silent
    if status == Statement.Status.ISSUED:
        return Q(status=status) & ~silent
    return Q(status=status)


def confirm_preview(statement: Statement, today: date) -> date | None:
    """The payment due date if the brand confirms a monthly statement today."""
    if statement.kind != Statement.Kind.MONTHLY or not statement.period:
        return None
    try:
        terms = selectors.schedule_terms(statement.agreement)
    except DomainError:
        return None
    calendar = work_calendar()
    contract_due = calc.payment_due_on(
        period=Period.parse(statement.period),
        confirmed_on=today,
        terms=terms,
        calendar=calendar,
    )
    paid_after_invoice, working_days = invoice_before_payment(statement)
    if not paid_after_invoice:
        return contract_due
    # Paid only after the invoice: the later date, or none while the invoice is not in.
    return calc.payment_due_after_invoice(
        contract_due_on=contract_due,
        total=statement.total_due,
        invoices=[calc.InvoiceFact(i.issued_on, i.amount) for i in counting_invoices(statement)],
        invoice_before_payment=True,
        invoice_payment_working_days=working_days,
        calendar=calendar,
    )


class StatementDetailView(BrandPortalMixin, TemplateView):
    template_name = "portal/statement.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = clock.today()
        statements = visible_statements(self)
        statement = label(get_object_or_404(statements, pk=kwargs["pk"]))
        paid = selectors.amount_paid(statement)
        is_open = statement.is_open
        state = selectors.statement_penalty(statement=statement, as_of=today) if is_open else None
        versions = [
            label(st)
            for st in statements.filter(
                agreement_id=statement.agreement_id, base_number=statement.base_number
            ).order_by("version")
        ]
        next_version = next((v for v in versions if v.version == statement.version + 1), None)
        correction_pending = (
            statement.status == Statement.Status.VOID
            and next_version is None
            and Statement.objects.filter(previous_version=statement).exists()
        )
        notices = [label(n) for n in statements.filter(penalty_of=statement).order_by("pk")]
        principal_statement = (
            statements.filter(pk=statement.penalty_of_id).first()
            if statement.penalty_of_id
            else None
        )
        principal = label(principal_statement) if principal_statement else None
        window = (statement.figures or {}).get(documents.PAYMENT_WINDOW_START)
        context.update(
            {
                "statement": statement,
                "agreement": statement.agreement,
                "agreement_kind_label": AGREEMENT_KIND_LABELS.get(statement.agreement.kind, ""),
                "lines": list(statement.lines.all()),
                "figures": figure_rows(statement),
                "payments": list(statement.payments.select_related("moved_from")),
                "paid": paid,
                "outstanding": statement.total_due - paid,
                "state": state,
                "penalty_accrued": state.penalty_net_of_waivers if state else None,
                "is_overdue": bool(
                    state and state.days_overdue > 0 and state.outstanding > 0 and is_open
                ),
                "payments_from": _window_date(statement, window),
                "history": history_rows(statement),
                "versions": versions if len(versions) > 1 else [],
                "next_version": next_version,
                "correction_pending": correction_pending,
                "notices": notices,
                "principal": principal,
                "can_act": roles.is_brand_finance_for(self.portal_user, statement.agreement),
                "can_confirm": awaits_receipt(statement),
                "attachments": list(statement.dispute_attachments.all()),
                "can_withdraw": statement.status == Statement.Status.DISPUTED,
                "viewer_note": VIEWERS_CANNOT_ACT,
                "termination_days": selectors.termination_overdue_days(statement),
                "explain": statement_explanation(statement, zh=is_zh()),
                "today": today,
            }
        )
        return context


class StatementPdfView(BrandPortalMixin, TemplateView):
    """The statement's PDF as a download: the stored file of its version (rendered now if
    the background job has not yet), a void version drawn live with its VOID mark."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        statement = get_object_or_404(visible_statements(self), pk=kwargs["pk"])
        filename = f"{statement.number}.pdf"
        if statement.status == Statement.Status.VOID:
            response = HttpResponse(
                documents.statement_pdf_bytes(statement), content_type="application/pdf"
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        if not (statement.pdf and statement.pdf.storage.exists(statement.pdf.name)):
            documents.statement_pdf_store(statement)
        if not statement.pdf:
            raise Http404
        return FileResponse(
            statement.pdf.open("rb"),
            as_attachment=True,
            filename=filename,
            content_type="application/pdf",
        )

"""Client portal pages of settlements: the brand's dashboard, its statements with their
lines, dates, history, payments and PDF, and the receipt (回执) actions.

Every query goes through ``scope_for_user`` (via ``BrandPortalMixin.scoped``), and a
statement is looked up in the scoped queryset, so another brand's id answers 404, the PDF
included. Drafts are the agency's work in progress and are never shown. Confirming,
disputing and withdrawing a dispute are POSTs (CSRF-checked) behind a confirmation page,
open to brand finance users only, and call the same services as the admin and the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.portal import BrandPortalMixin, forbidden
from common import clock
from common.calendar import work_calendar
from common.models import Event
from common.templatetags.portal import money_text, percent_text, period_text
from contracts.models import Agreement, Party
from core.exceptions import DomainError, RuleViolation
from core.periods import Period, renewal_objection_deadline
from settlements import calculations as calc
from settlements import documents, services
from settlements.models import Statement

OPEN_STATUSES = Statement.OPEN_STATUSES
PAGE_SIZE = 20
OVERDUE_SHOWN = 5  # the dashboard lists the longest overdue; the list page has them all
VIEWERS_CANNOT_ACT = gettext_lazy(
    "Only your company's finance users can confirm or dispute statements. "
    "Your account can read everything but cannot act."
)

KIND_LABELS = {
    Statement.Kind.MONTHLY: gettext_lazy("Monthly statement"),
    Statement.Kind.SETUP_FEE: gettext_lazy("Setup fee bill"),
    Statement.Kind.INSTALLMENT: gettext_lazy("Installment bill"),
    Statement.Kind.PENALTY: gettext_lazy("Penalty notice"),
}
STATUS_LABELS = {
    Statement.Status.DRAFT: gettext_lazy("Draft"),
    Statement.Status.ISSUED: gettext_lazy("Awaiting your receipt"),
    Statement.Status.CONFIRMED: gettext_lazy("Confirmed"),
    Statement.Status.DISPUTED: gettext_lazy("Disputed"),
    Statement.Status.VOID: gettext_lazy("Void"),
}
PAYMENT_LABELS = {
    Statement.PaymentStatus.UNPAID: gettext_lazy("Unpaid"),
    Statement.PaymentStatus.PARTIALLY_PAID: gettext_lazy("Partly paid"),
    Statement.PaymentStatus.PAID: gettext_lazy("Paid"),
}
ISSUED_LABEL = gettext_lazy("Issued")
AGREEMENT_KIND_LABELS = {
    Agreement.Kind.B2B_COMMISSION: gettext_lazy("B2B distributor recruitment"),
    Agreement.Kind.REVENUE_SHARE: gettext_lazy("Revenue share"),
    Agreement.Kind.CONSULTING_FIXED_FEE: gettext_lazy("Fixed-fee consulting"),
}
AGREEMENT_STATUS_LABELS = {
    Agreement.Status.DRAFT: gettext_lazy("Draft"),
    Agreement.Status.ACTIVE: gettext_lazy("Active"),
    Agreement.Status.EXPIRED: gettext_lazy("Expired"),
    Agreement.Status.TERMINATED: gettext_lazy("Terminated"),
}
PARTY_LABELS = {
    Party.NONE: gettext_lazy("nobody"),
    Party.BRAND: gettext_lazy("you (the brand)"),
    Party.AGENCY: gettext_lazy("the agency"),
    Party.BOTH: gettext_lazy("both sides"),
}
# What the brand reads in a statement's history; other events (drafts) stay internal.
EVENT_LABELS = {
    "statement.issued": gettext_lazy("Issued"),
    "statement.confirmed": gettext_lazy("Confirmed"),
    "statement.deemed_confirmed": gettext_lazy("Confirmed by silence at the receipt deadline"),
    "statement.disputed": gettext_lazy("Disputed"),
    "statement.dispute_replied": gettext_lazy("The agency replied to the dispute"),
    "statement.dispute_withdrawn": gettext_lazy("Dispute withdrawn"),
    "statement.voided": gettext_lazy("Voided"),
    "payment.recorded": gettext_lazy("Payment received"),
    "payments.moved": gettext_lazy("Payments moved over from the previous version"),
    "penalty.waived": gettext_lazy("Penalty waived"),
    "notice.statement_issued": gettext_lazy("New-statement e-mail sent"),
    "notice.receipt_reminder": gettext_lazy("Receipt reminder sent"),
    "notice.payment_reminder": gettext_lazy("Payment reminder sent"),
    "notice.overdue": gettext_lazy("Overdue notice sent"),
    "flag.receipt_overdue": gettext_lazy("Receipt deadline passed"),
    "flag.payment_overdue": gettext_lazy("Payment overdue"),
    "flag.agency_termination_right": gettext_lazy(
        "More than 15 days overdue: the agency may terminate"
    ),
}
FILTER_STATUSES = [
    (Statement.Status.ISSUED, STATUS_LABELS[Statement.Status.ISSUED]),
    (Statement.Status.CONFIRMED, STATUS_LABELS[Statement.Status.CONFIRMED]),
    (Statement.Status.DISPUTED, STATUS_LABELS[Statement.Status.DISPUTED]),
    (Statement.Status.VOID, STATUS_LABELS[Statement.Status.VOID]),
]
OVERDUE = "overdue"
FILTER_PAYMENTS = [
    (Statement.PaymentStatus.UNPAID, PAYMENT_LABELS[Statement.PaymentStatus.UNPAID]),
    (
        Statement.PaymentStatus.PARTIALLY_PAID,
        PAYMENT_LABELS[Statement.PaymentStatus.PARTIALLY_PAID],
    ),
    (Statement.PaymentStatus.PAID, PAYMENT_LABELS[Statement.PaymentStatus.PAID]),
    (OVERDUE, gettext_lazy("Overdue")),
]


def _zh() -> bool:
    return (get_language() or "").startswith("zh")


def awaits_receipt(statement: Statement) -> bool:
    """Whether the brand is asked to confirm or dispute: an issued statement with a receipt
    deadline (monthly statements; one-off bills and penalty notices have none)."""
    return statement.status == Statement.Status.ISSUED and statement.receipt_due_on is not None


def label(statement: Statement) -> Statement:
    """Attach the portal's wording of kind, review status and payment status."""
    statement.kind_label = KIND_LABELS.get(statement.kind, statement.kind)  # type: ignore[attr-defined]
    status_label = STATUS_LABELS.get(statement.status, statement.status)
    if not awaits_receipt(statement) and statement.status == Statement.Status.ISSUED:
        status_label = ISSUED_LABEL  # a bill without a receipt step (one-off, penalty)
    statement.status_label = status_label  # type: ignore[attr-defined]
    statement.payment_label = PAYMENT_LABELS.get(  # type: ignore[attr-defined]
        statement.payment_status, statement.payment_status
    )
    return statement


def visible_statements(view: BrandPortalMixin) -> QuerySet[Statement]:
    """The brand's statements as the brand sees them: every version except drafts."""
    return (
        view.scoped(Statement.objects.all(), "agreement__brand")
        .exclude(status=Statement.Status.DRAFT)
        .select_related("agreement")
    )


def visible_agreements(view: BrandPortalMixin) -> QuerySet[Agreement]:
    return view.scoped(Agreement.objects.all(), "brand").exclude(status=Agreement.Status.DRAFT)


# --- agreements in plain words ----------------------------------------------------------


def _date(day: date | None) -> str:
    from django.utils.formats import date_format

    return date_format(day, "DATE_FORMAT") if day else "—"


def _share(ratio: Decimal) -> str:
    return percent_text(ratio)


def agreement_terms(agreement: Agreement) -> list[str]:
    """The agreement's terms as short sentences for the brand, in the active language."""
    terms = agreement.terms
    sentences = [
        _("Runs from %(start)s to %(end)s (signed on %(signed)s).")
        % {
            "start": _date(agreement.starts_on),
            "end": _date(agreement.effective_ends_on),
            "signed": _date(agreement.signed_on),
        }
    ]
    if agreement.kind == Agreement.Kind.REVENUE_SHARE and terms is not None:
        agency = terms.agency_ratio
        sentences += [
            _(
                "The agency receives %(agency)s of each month's profit and you keep "
                "%(brand)s. Profit is sales less factory cost, tax and logistics; a month "
                "with a loss owes nothing and carries the loss into the next month."
            )
            % {"agency": _share(agency), "brand": _share(Decimal(1) - agency)},
            _(
                "The statement is issued by day %(issue)s of the following month; you "
                "confirm or dispute it within %(receipt)s working days (silence counts as "
                "confirmation)."
            )
            % {"issue": terms.issue_by_day, "receipt": terms.receipt_working_days},
            _(
                "Payment is due on day %(day)s of the following month, or %(days)s working "
                "days after your confirmation if that is later; payments are expected from "
                "day %(start)s."
            )
            % {
                "day": terms.payment_day,
                "days": terms.payment_working_days,
                "start": terms.payment_window_start_day,
            },
        ]
        if terms.setup_fee > 0:
            sentences.append(
                _("Setup fee %(fee)s, due %(days)s days after signing.")
                % {"fee": money_text(terms.setup_fee), "days": terms.setup_fee_due_days}
            )
    elif agreement.kind == Agreement.Kind.B2B_COMMISSION and terms is not None:
        sentences += [
            _(
                "Monthly service fee %(fee)s, plus a commission of (distributor price − "
                "factory price) × quantity on every shipment to distributors."
            )
            % {"fee": money_text(terms.monthly_service_fee)},
            _(
                "Monthly minimums: %(distributors)s new distributors, %(cartons)s cartons "
                "shipped and sales of %(sales)s. If one is missed, that month's service fee "
                "is withheld unless you agree to pay it."
            )
            % {
                "distributors": terms.min_distributors,
                "cartons": terms.min_cartons,
                "sales": money_text(terms.min_sales_amount),
            },
            _(
                "From month %(month)s of operation, web targets apply: your brand keyword "
                "on the first page of Baidu and Google, at least %(visitors)s unique "
                "visitors a month, %(inquiries)s inquiries a day and a conversion rate of "
                "%(rate)s. They are reported and move no money."
            )
            % {
                "month": terms.web_targets_from_month,
                "visitors": terms.min_unique_visitors,
                "inquiries": f"{terms.min_daily_inquiries.normalize():f}",
                "rate": percent_text(terms.min_conversion_rate),
            },
            _(
                "The statement is issued by day 10 of the following month; you confirm or "
                "dispute it within 5 working days, and payment is due %(days)s working days "
                "after confirmation."
            )
            % {"days": terms.payment_working_days},
        ]
    elif agreement.kind == Agreement.Kind.CONSULTING_FIXED_FEE and terms is not None:
        sentences.append(
            _("Total fee %(total)s, billed in installments:")
            % {"total": money_text(terms.total_fee)}
        )
        for installment in agreement.installments.all():
            after = (
                _("%(days)s working days after signing")
                if installment.due_from == "signing"
                else _("%(days)s working days after the end (or termination)")
            ) % {"days": installment.working_days}
            sentences.append(
                _("Installment %(number)s: %(percent)s due %(after)s.")
                % {
                    "number": installment.number,
                    "percent": f"{installment.percent.normalize():f}%",
                    "after": after,
                }
            )
    if agreement.penalty_rate_per_day > 0:
        sentences.append(
            _("Late payment costs %(rate)s of the unpaid amount per calendar day.")
            % {"rate": percent_text(agreement.penalty_rate_per_day)}
        )
    else:
        sentences.append(_("No late-payment penalty."))
    if agreement.auto_renew:
        deadline = renewal_objection_deadline(
            ends_on=agreement.ends_on, notice_months=agreement.renewal_notice_months
        )
        sentences.append(
            _(
                "Renews automatically for %(months)s months unless either side objects in "
                "writing by %(deadline)s."
            )
            % {"months": agreement.renewal_term_months, "deadline": _date(deadline)}
        )
    else:
        sentences.append(_("Does not renew automatically."))
    if agreement.exclusivity_party != Party.NONE:
        sentences.append(
            _("Exclusivity binds %(party)s: %(scope)s")
            % {
                "party": PARTY_LABELS.get(agreement.exclusivity_party, ""),
                "scope": agreement.exclusivity_scope or "—",
            }
        )
    if agreement.confidentiality_party != Party.NONE:
        if agreement.confidentiality_years:
            sentences.append(
                ngettext(
                    "Confidentiality binds %(party)s for %(years)s year after the end.",
                    "Confidentiality binds %(party)s for %(years)s years after the end.",
                    agreement.confidentiality_years,
                )
                % {
                    "party": PARTY_LABELS.get(agreement.confidentiality_party, ""),
                    "years": agreement.confidentiality_years,
                }
            )
        else:
            sentences.append(
                _("Confidentiality binds %(party)s with no end date.")
                % {"party": PARTY_LABELS.get(agreement.confidentiality_party, "")}
            )
    account = agreement.bank_account
    if account is not None:
        sentences.append(
            _("Pay into %(bank)s, account %(number)s (%(name)s).")
            % {
                "bank": account.bank_name,
                "number": account.account_number,
                "name": account.account_name,
            }
        )
    return sentences


# --- dashboard --------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenItem:
    """An open statement with what is owed on it as of today."""

    statement: Statement
    state: services.PenaltyState

    @property
    def outstanding(self) -> Decimal:
        return self.state.outstanding

    @property
    def penalty_accrued(self) -> Decimal:
        """The late penalty to date, less what was waived (billed or not)."""
        return self.state.penalty_net_of_waivers


FLAG_TEXTS = {
    "statement_late": gettext_lazy(
        "The %(period)s statement of %(agreement)s was not issued by %(deadline)s. You may "
        "send the agency a written demand (催缴)."
    ),
    "brand_termination_right": gettext_lazy(
        "The %(period)s statement of %(agreement)s is still missing 7 days after your "
        "demand of %(demanded_on)s: you hold a right to terminate the agreement."
    ),
    "receipt_overdue": gettext_lazy(
        "You did not answer statement %(statement)s by %(deadline)s: it counts as confirmed "
        "on that day."
    ),
    "agency_termination_right": gettext_lazy(
        "Statement %(statement)s is %(days)s days overdue: the agency holds a right to "
        "terminate %(agreement)s until it is paid."
    ),
}
TERMINATION_FLAGS = ("brand_termination_right", "agency_termination_right")


def _iso_date(text: str | None) -> str:
    if not text:
        return "—"
    return _date(date.fromisoformat(text))


def flag_rows(flags: list[services.Flag]) -> list[dict[str, Any]]:
    """The flags a brand should read, as sentences; overdue payments are listed apart."""
    rows = []
    for flag in flags:
        text = FLAG_TEXTS.get(flag.name)
        if text is None:
            continue
        statement = flag.statement
        values = {
            "agreement": flag.agreement.number,
            "period": period_text(flag.period) if flag.period else "",
            "deadline": _iso_date(flag.detail.get("deadline"))
            if flag.name == "statement_late"
            else _date(statement.receipt_due_on if statement else None),
            "demanded_on": _iso_date(flag.detail.get("demanded_on")),
            "statement": statement.number if statement else "",
            "days": flag.detail.get("days", ""),
        }
        rows.append(
            {
                "name": flag.name,
                "text": str(text) % values,
                "termination": flag.name in TERMINATION_FLAGS,
                "url": reverse("portal:statement", args=[statement.pk]) if statement else "",
            }
        )
    rows.sort(key=lambda row: not row["termination"])
    return rows


class DashboardView(BrandPortalMixin, TemplateView):
    template_name = "portal/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from kpis.portal import b2b_kpi_panel, sales_panel

        context = super().get_context_data(**kwargs)
        today = clock.today()
        agreements = visible_agreements(self)
        active = list(
            agreements.filter(status=Agreement.Status.ACTIVE)
            .select_related("bank_account", "b2b_terms", "revenue_share_terms", "consulting_terms")
            .prefetch_related("installments")
            .order_by("number")
        )
        statements = visible_statements(self)
        open_items = [
            OpenItem(label(st), services.statement_penalty(statement=st, as_of=today))
            for st in statements.filter(status__in=OPEN_STATUSES).exclude(
                payment_status=Statement.PaymentStatus.PAID
            )
        ]
        open_items = [item for item in open_items if item.outstanding > 0]
        overdue = sorted(
            (item for item in open_items if item.state.days_overdue > 0),
            key=lambda item: -item.state.days_overdue,
        )
        upcoming = sorted(
            (
                item
                for item in open_items
                if item.state.days_overdue == 0 and item.statement.payment_due_on
            ),
            key=lambda item: item.statement.payment_due_on,
        )
        awaiting = [
            label(st)
            for st in statements.filter(
                status=Statement.Status.ISSUED, receipt_due_on__isnull=False
            )
        ]
        awaiting.sort(key=lambda st: (st.receipt_due_on or date.max, st.number))
        flags = flag_rows(services.flags_as_of(as_of=today, agreements=agreements))
        context.update(
            {
                "today": today,
                "this_period": Period.of(today),
                "agreements": [
                    {
                        "agreement": agreement,
                        "kind_label": AGREEMENT_KIND_LABELS.get(agreement.kind, agreement.kind),
                        "terms": agreement_terms(agreement),
                    }
                    for agreement in active
                ],
                "owed": sum((item.outstanding for item in open_items), Decimal("0.00")),
                "overdue_total": sum((item.outstanding for item in overdue), Decimal("0.00")),
                "penalty_total": sum((item.penalty_accrued for item in overdue), Decimal("0.00")),
                "open_count": len(open_items),
                "overdue": overdue[:OVERDUE_SHOWN],
                "overdue_count": len(overdue),
                "upcoming": upcoming[:5],
                "next_due": upcoming[0] if upcoming else None,
                "awaiting": awaiting,
                "termination_flags": [f for f in flags if f["termination"]],
                "notice_flags": [f for f in flags if not f["termination"]],
                "kpi_panels": [
                    b2b_kpi_panel(agreement=a, today=today, compact=True)
                    for a in active
                    if a.kind == Agreement.Kind.B2B_COMMISSION
                ],
                "sales_panels": [
                    sales_panel(agreement=a, today=today)
                    for a in active
                    if a.kind == Agreement.Kind.REVENUE_SHARE
                ],
            }
        )
        return context


# --- statements -------------------------------------------------------------------------


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
                statements = statements.filter(status=data["status"])
            if data["payment"] == OVERDUE:
                statements = statements.filter(
                    status__in=OPEN_STATUSES, payment_due_on__lt=today
                ).exclude(payment_status=Statement.PaymentStatus.PAID)
            elif data["payment"]:
                statements = statements.filter(payment_status=data["payment"])
            filtered = any(data.values())
        page = Paginator(statements, PAGE_SIZE).get_page(self.request.GET.get("page"))
        for statement in page.object_list:
            label(statement)
            statement.paid_amount = services.amount_paid(statement)  # type: ignore[attr-defined]
            statement.outstanding = statement.total_due - statement.paid_amount  # type: ignore[attr-defined]
            statement.is_overdue = bool(  # type: ignore[attr-defined]
                statement.status in OPEN_STATUSES
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
        if _zh():
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
                "label": figure.zh if _zh() else figure.en,
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
        text = EVENT_LABELS.get(event.action)
        if text is None:
            continue
        detail = event.detail or {}
        note = event.message
        if event.action == "payment.recorded":
            note = f"{money_text(detail.get('amount'))} · {_iso_date(detail.get('paid_on'))}"
        rows.append({"at": event.at, "text": text, "actor": _actor(event, statement), "note": note})
    return rows


def _window_date(statement: Statement, window: Any) -> date | None:
    """The first day payments are expected (revenue share: the 15th of the next month)."""
    if not window:
        return None
    try:
        return date.fromisoformat(documents._payment_window(statement, window))
    except ValueError:
        return None


def confirm_preview(statement: Statement, today: date) -> date | None:
    """The payment due date if the brand confirms a monthly statement today."""
    if statement.kind != Statement.Kind.MONTHLY or not statement.period:
        return None
    try:
        terms = services.schedule_terms(statement.agreement)
    except DomainError:
        return None
    return calc.payment_due_on(
        period=Period.parse(statement.period),
        confirmed_on=today,
        terms=terms,
        calendar=work_calendar(),
    )


class StatementDetailView(BrandPortalMixin, TemplateView):
    template_name = "portal/statement.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = clock.today()
        statements = visible_statements(self)
        statement = label(get_object_or_404(statements, pk=kwargs["pk"]))
        paid = services.amount_paid(statement)
        is_open = statement.status in OPEN_STATUSES
        state = services.statement_penalty(statement=statement, as_of=today) if is_open else None
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
                "can_confirm": awaits_receipt(statement),
                "can_withdraw": statement.status == Statement.Status.DISPUTED,
                "viewer_note": VIEWERS_CANNOT_ACT,
                "today": today,
            }
        )
        return context


class DisputeForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("What is wrong with this statement?"),
        help_text=gettext_lazy(
            "The agency reads this and replies here; be specific (lines, amounts, months)."
        ),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def clean_comment(self) -> str:
        comment = self.cleaned_data["comment"].strip()
        if not comment:
            raise ValidationError(_("Please say what is wrong."))
        return comment


class StatementActionView(BrandPortalMixin, TemplateView):
    """A receipt action: GET shows the confirmation step, POST does it (finance only)."""

    template_name = "portal/statement_action.html"
    action = ""
    form_class: type[forms.Form] | None = None

    def _statement(self) -> Statement:
        return label(get_object_or_404(visible_statements(self), pk=self.kwargs["pk"]))

    def _detail(self, statement: Statement) -> HttpResponse:
        return redirect("portal:statement", pk=statement.pk)

    def _refuse(self, request: HttpRequest) -> HttpResponse | None:
        if not self.portal_user.is_brand_finance:
            return forbidden(request, str(VIEWERS_CANNOT_ACT))
        return None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        statement = self._statement()
        refused = self._refuse(request)
        if refused is not None:
            return refused
        if not self.allowed(statement):
            messages.info(request, _("This statement is no longer waiting for that action."))
            return self._detail(statement)
        form = self.form_class() if self.form_class else None
        return self.render_to_response(self.get_context_data(statement=statement, form=form))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        statement = self._statement()
        refused = self._refuse(request)
        if refused is not None:
            return refused
        if not self.allowed(statement):
            messages.error(request, _("This statement is no longer waiting for that action."))
            return self._detail(statement)
        form = self.form_class(request.POST) if self.form_class else None
        if form is not None and not form.is_valid():
            return self.render_to_response(self.get_context_data(statement=statement, form=form))
        try:
            self.perform(statement, form)
        except RuleViolation as error:
            if form is not None:
                for field, problems in error.errors.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
                return self.render_to_response(
                    self.get_context_data(statement=statement, form=form)
                )
            messages.error(request, str(error))
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, self.done_message(statement))
        return self._detail(statement)

    def allowed(self, statement: Statement) -> bool:
        return awaits_receipt(statement)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        statement = kwargs["statement"]
        context.update(
            {
                "action": self.action,
                "paid": services.amount_paid(statement),
                "due_if_confirmed": confirm_preview(statement, clock.today())
                if self.action == "confirm"
                else None,
            }
        )
        return context

    def perform(self, statement: Statement, form: forms.Form | None) -> None:
        raise NotImplementedError

    def done_message(self, statement: Statement) -> str:
        raise NotImplementedError


class StatementConfirmView(StatementActionView):
    action = "confirm"

    def perform(self, statement: Statement, form: forms.Form | None) -> None:
        services.statement_confirm(statement=statement, by=self.portal_user)

    def done_message(self, statement: Statement) -> str:
        return _("Statement %(number)s is confirmed.") % {"number": statement.number}


class StatementDisputeView(StatementActionView):
    action = "dispute"
    form_class = DisputeForm

    def perform(self, statement: Statement, form: forms.Form | None) -> None:
        assert form is not None
        services.statement_dispute(
            statement=statement, comment=form.cleaned_data["comment"], by=self.portal_user
        )

    def done_message(self, statement: Statement) -> str:
        return _(
            "Your dispute of %(number)s was sent to the agency. Its reply will appear here."
        ) % {"number": statement.number}


class StatementWithdrawDisputeView(StatementActionView):
    action = "withdraw"

    def allowed(self, statement: Statement) -> bool:
        return statement.status == Statement.Status.DISPUTED

    def perform(self, statement: Statement, form: forms.Form | None) -> None:
        services.statement_withdraw_dispute(statement=statement, by=self.portal_user)

    def done_message(self, statement: Statement) -> str:
        return _("Your dispute is withdrawn; %(number)s awaits your receipt again.") % {
            "number": statement.number
        }


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

"""Statements in the admin: the list and each statement's page.

- The list fits 1366 px with the money visible (number, brand, period, status, total,
  outstanding, payment due, days overdue), filters in the side sheet, and an "Export
  XLSX" button that keeps the filters and the search.
- A statement's page is read-only and reads as a document (``statement_page``): its
  figures, payments, versions, dispute and history. Its actions are buttons, each shown
  only when it applies, each leading to a form page for that one statement
  (``statement_actions``). No Save button: a statement changes only through its actions.
- List actions: issuing drafts works in bulk (a confirmation page with the date, then a
  message per statement with its link); the others take exactly one statement and open
  its form page, refusing a selection of more than one.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.admin import ModelAdmin

from accounts import roles
from common import clock
from common.admin_helpers import PeriodFieldFilter, ScopedAdminMixin
from common.portal import is_zh
from common.templatetags.portal import money_text
from common.xlsx import XLSX_CONTENT_TYPE
from contracts.models import Agreement
from core.exceptions import DomainError
from core.periods import Period
from settlements import detail, selectors, services
from settlements.admin import statement_actions as acts
from settlements.admin.statement_export import export_filename, statements_xlsx
from settlements.admin.statement_page import (
    ACTIONS,
    ISSUE,
    action_applies,
    days_overdue,
    days_text,
    one_language,
    page_context,
    payment_badge,
    status_badge,
)
from settlements.documents import statement_pdf_bytes, statement_pdf_store
from settlements.models import Payment, Statement

ONE_AT_A_TIME = gettext_lazy(
    "“%(action)s” works on one statement at a time: select just one (%(count)s were selected)."
)


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Payment overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        overdue = Q(
            payment_due_on__lt=clock.today(),
            status__in=Statement.OPEN_STATUSES,
        ) & ~Q(payment_status=Statement.PaymentStatus.PAID)
        if self.value() == "yes":
            return queryset.filter(overdue)
        if self.value() == "no":
            return queryset.exclude(overdue)
        return queryset


class DisputeUnansweredFilter(admin.SimpleListFilter):
    """Disputes the agency has not answered within its reply window (as of today)."""

    title = gettext_lazy("dispute unanswered")
    parameter_name = "dispute_unanswered"

    def lookups(self, request, model_admin):
        return [("yes", _("Past the reply deadline"))]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        disputed = queryset.filter(disputed_on__isnull=False)
        agreements = Agreement.objects.filter(pk__in=disputed.values("agreement"))
        flagged = {
            flag.statement.pk
            for flag in selectors.flags_as_of(as_of=clock.today(), agreements=agreements)
            if flag.name == "dispute_unanswered" and flag.statement is not None
        }
        return queryset.filter(pk__in=flagged)


def label_html(text: Any, variant: str = "", title: str = "") -> str:
    """An unfold label (a coloured badge)."""
    return render_to_string(
        "unfold/helpers/label.html",
        {"text": text, "variant": variant, "size": "md", "label_title": title},
    )


class BulkIssueForm(forms.Form):
    issued_on = acts.IssueForm.base_fields["issued_on"]


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _paid_total() -> Coalesce:
    paid = (
        Payment.objects.filter(statement=OuterRef("pk"))
        .order_by()
        .values("statement")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    return Coalesce(Subquery(paid, output_field=money), Value(0), output_field=money)


@admin.register(Statement)
class StatementAdmin(ScopedAdminMixin, ModelAdmin):
    brand_path = "agreement__brand"
    list_display = [
        "number",
        "brand",
        "period_shown",
        "status_shown",
        "total_shown",
        "outstanding_shown",
        "due_shown",
        "overdue_shown",
    ]
    list_filter = [
        PeriodFieldFilter,
        "status",
        "payment_status",
        "kind",
        OverdueFilter,
        DisputeUnansweredFilter,
        "agreement__brand",
        "agreement__kind",
    ]
    search_fields = ["number", "agreement__number", "agreement__brand__name"]
    list_select_related = ["agreement__brand"]
    date_hierarchy = "issued_on"
    actions = [
        "issue_selected",
        "record_payment",
        "reply_to_dispute",
        "record_dispute",
        "record_withdrawal",
        "void_selected",
        "correct_selected",
    ]
    change_form_template = "admin/settlements/statement/change_form.html"
    change_list_template = "admin/settlements/statement/change_list.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(paid_total=_paid_total())
            .annotate(outstanding_amount=F("total_due") - F("paid_total"))
        )

    # --- a read-only page: a statement changes only through its actions ------------------

    def get_fields(self, request, obj=None):
        return []

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # The list may be worked on (its actions); a statement's page is read-only.
        return obj is None and super().has_change_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        statement = self.get_object(request, unquote(object_id))
        if statement is not None:
            today = clock.today()
            page = page_context(statement, request.user, today)
            extra_context = {
                **(extra_context or {}),
                "title": statement.number,
                "page": page,
                "buttons": self._buttons(statement, page["actions"]),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def _buttons(self, statement: Statement, names: list[str]) -> list[dict[str, Any]]:
        buttons = []
        for name in names:
            page = acts.PAGES[name]
            buttons.append(
                {
                    "name": name,
                    "label": page.button,
                    "icon": page.icon,
                    "variant": "danger" if page.danger else page.variant,
                    "url": reverse(f"admin:settlements_statement_{name}", args=[statement.pk]),
                }
            )
        return buttons

    # --- list columns ----------------------------------------------------------------------

    @admin.display(description=gettext_lazy("Brand"), ordering="agreement__brand__name")
    def brand(self, obj):
        name = obj.agreement.brand.name
        return format_html('<span class="statement-brand" title="{}">{}</span>', name, name)

    @admin.display(description=gettext_lazy("Period"), ordering="period")
    def period_shown(self, obj):
        if obj.period:
            return obj.period
        return format_html('<span class="text-subtle">{}</span>', obj.get_kind_display())

    @admin.display(description=gettext_lazy("Status"), ordering="status")
    def status_shown(self, obj):
        today = clock.today()
        review, paid = status_badge(obj, today), payment_badge(obj)
        silent_on = selectors.confirmed_by_silence_on(obj, today=today)
        title = (
            _("Confirmed by silence on %(day)s") % {"day": silent_on.isoformat()}
            if silent_on
            else ""
        )
        badges = [label_html(review.text, review.variant, title)]
        if obj.is_open:
            badges.append(label_html(paid.text, paid.variant))
        return format_html(
            '<span class="statement-badges">{}</span>',
            format_html_join("", "{}", ((badge,) for badge in badges)),
        )

    @admin.display(description=gettext_lazy("Total"), ordering="total_due")
    def total_shown(self, obj):
        return money_text(obj.total_due)

    @admin.display(description=gettext_lazy("Outstanding"), ordering="outstanding_amount")
    def outstanding_shown(self, obj):
        if not obj.is_open:
            return "—"
        return money_text(obj.total_due - obj.paid_total)

    @admin.display(description=gettext_lazy("Payment due"), ordering="payment_due_on")
    def due_shown(self, obj):
        if obj.status == Statement.Status.DISPUTED:
            return format_html('<span class="text-subtle">{}</span>', _("in dispute"))
        if obj.payment_due_on is None:
            return "—"
        return date_format(obj.payment_due_on, "DATE_FORMAT")

    @admin.display(description=gettext_lazy("Days overdue"), ordering="payment_due_on")
    def overdue_shown(self, obj):
        days = days_overdue(obj, clock.today())
        if not days:
            return "—"
        return format_html("{}", label_html(days_text(days), "danger"))

    # --- URLs ------------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        own = [
            path("<int:pk>/pdf/", wrap(self.pdf_view), name="settlements_statement_pdf"),
            path(
                "<int:pk>/detail-xlsx/",
                wrap(self.detail_xlsx_view),
                name="settlements_statement_detail_xlsx",
            ),
            path("export/", wrap(self.export_view), name="settlements_statement_export"),
            path("generate/", wrap(self.generate_view), name="settlements_statement_generate"),
            path(
                "<int:pk>/attachments/<int:attachment_id>/",
                wrap(self.attachment_view),
                name="settlements_statement_attachment",
            ),
        ]
        own += [
            path(
                f"<int:pk>/{name}/",
                wrap(self.action_view),
                {"name": name},
                name=f"settlements_statement_{name}",
            )
            for name in ACTIONS
        ]
        return own + super().get_urls()

    def _statement(self, request, pk) -> Statement:
        """The statement if the user may see it: another agency's id is a 404 like a
        missing one."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(
            self.get_queryset(request).select_related("agreement__brand"), pk=pk
        )

    # --- one statement's actions -----------------------------------------------------------

    def action_view(self, request, pk, name):
        """The form page of one action on one statement: GET shows it, POST does it."""
        statement = self._statement(request, pk)
        if not roles.is_staff_for(request.user, statement.agreement):
            raise PermissionDenied
        page = acts.PAGES[name]
        statement_url = reverse("admin:settlements_statement_change", args=[statement.pk])
        today = clock.today()
        if request.method == "POST":
            form = page.form(request.POST, request.FILES, statement=statement, today=today)
            if form.is_valid():
                outcome = acts.perform(page, statement, form, request.user)
                if outcome is not None:
                    self.message_user(request, outcome.text, outcome.level)
                    return redirect(outcome.url or statement_url)
        else:
            if not action_applies(name, statement, today):
                self.message_user(
                    request, acts.not_applicable_text(name, statement), messages.WARNING
                )
                return redirect(statement_url)
            form = page.form(statement=statement, today=today)
        paid = selectors.amount_paid(statement)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": statement,
            "title": page.title,
            "action": page,
            "form": form,
            "statement": statement,
            "status_badge": status_badge(statement, today),
            "payment_badge": payment_badge(statement),
            "paid": paid,
            "outstanding": statement.total_due - paid if statement.is_open else None,
            "statement_url": statement_url,
        }
        return TemplateResponse(request, "admin/settlements/statement/action.html", context)

    # --- files -----------------------------------------------------------------------------

    def attachment_view(self, request, pk, attachment_id):
        """A dispute's attachment, for staff who may see the statement (else 404)."""
        statement = self._statement(request, pk)
        attachment = get_object_or_404(statement.dispute_attachments, pk=attachment_id)
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type or "application/octet-stream",
        )

    def pdf_view(self, request, pk):
        """A draft's preview, a void version drawn with its VOID mark, else the stored PDF
        (rendered now if the background job has not yet)."""
        statement = self._statement(request, pk)
        if not statement.is_open:
            return HttpResponse(statement_pdf_bytes(statement), content_type="application/pdf")
        if not (statement.pdf and statement.pdf.storage.exists(statement.pdf.name)):
            statement_pdf_store(statement)
        if not statement.pdf:
            raise Http404
        return FileResponse(
            statement.pdf.open("rb"),
            content_type="application/pdf",
            filename=f"{statement.number}.pdf",
        )

    def detail_xlsx_view(self, request, pk):
        """The sale lines (and a B2B month's KPIs) a monthly statement settles, as the
        brand downloads them (``settlements.detail``), in the page's language."""
        statement = self._statement(request, pk)
        if statement.kind != Statement.Kind.MONTHLY or statement.status == Statement.Status.VOID:
            raise Http404
        content = detail.statement_detail_xlsx(statement, zh=is_zh())
        return xlsx_response(content, detail.detail_filename(statement))

    def export_view(self, request):
        """The list as filtered and searched on the page, as XLSX."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:settlements_statement_changelist") + "?e=1")
        today = clock.today()
        statements = changelist.queryset.select_related("agreement__brand")
        return xlsx_response(statements_xlsx(statements, today=today), export_filename(today))

    # --- the month-end run -----------------------------------------------------------------

    def generate_view(self, request):
        """Start the month-end run for a closed month."""
        if request.method == "POST":
            try:
                run = services.statement_run_start(
                    period=request.POST.get("period", ""), by=request.user
                )
            except DomainError as error:
                self.message_user(request, one_language(str(error)), messages.ERROR)
            else:
                return redirect(reverse("admin:settlements_statementrun_change", args=[run.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Month-end run"),
            "opts": self.model._meta,
            "suggested": str(Period.of(clock.today()).previous()),
        }
        return TemplateResponse(request, "admin/settlements/statement/generate.html", context)

    # --- list actions ----------------------------------------------------------------------

    @admin.action(description=gettext_lazy("Issue the selected drafts…"))
    def issue_selected(self, request, queryset):
        """A confirmation page with the drafts and the issue date; then each is issued and
        the outcome said per statement, with its link."""
        statements = list(queryset.select_related("agreement__brand").order_by("number"))
        form = BulkIssueForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_bound and form.is_valid():
            outcomes = services.statements_issue(  # a batch per transaction
                statements=[s for s in statements if action_applies(ISSUE, s, clock.today())],
                issued_on=form.cleaned_data["issued_on"],
                by=request.user,
            )
            acts.bulk_issue_report(
                lambda text, level: self.message_user(request, text, level),
                outcomes,
                acts.issued_text,
            )
            return None
        if not form.is_bound:
            form = BulkIssueForm(initial={"issued_on": clock.today()})
        drafts = [s for s in statements if action_applies(ISSUE, s, clock.today())]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Issue statements"),
            "form": form,
            "statements": statements,
            "drafts": drafts,
            "drafts_total": sum((s.total_due for s in drafts), start=0),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/settlements/statement/issue.html", context)

    def _one(self, request, queryset, name):
        """Open the form page of ``name`` for the one selected statement."""
        selected = list(queryset[:2])
        if len(selected) != 1:
            self.message_user(
                request,
                ONE_AT_A_TIME % {"action": acts.PAGES[name].title, "count": queryset.count()},
                messages.ERROR,
            )
            return None
        return redirect(reverse(f"admin:settlements_statement_{name}", args=[selected[0].pk]))

    @admin.action(description=gettext_lazy("Record a payment (one statement)…"))
    def record_payment(self, request, queryset):
        return self._one(request, queryset, acts.PAYMENT)

    @admin.action(description=gettext_lazy("Reply to the dispute (one statement)…"))
    def reply_to_dispute(self, request, queryset):
        return self._one(request, queryset, acts.REPLY)

    @admin.action(description=gettext_lazy("Record the brand's written dispute (one statement)…"))
    def record_dispute(self, request, queryset):
        return self._one(request, queryset, acts.DISPUTE)

    @admin.action(description=gettext_lazy("Record the brand's withdrawal (one statement)…"))
    def record_withdrawal(self, request, queryset):
        return self._one(request, queryset, acts.WITHDRAWAL)

    @admin.action(description=gettext_lazy("Void (one statement)…"))
    def void_selected(self, request, queryset):
        return self._one(request, queryset, acts.VOID)

    @admin.action(description=gettext_lazy("Make the corrected version (one statement)…"))
    def correct_selected(self, request, queryset):
        return self._one(request, queryset, acts.CORRECT)

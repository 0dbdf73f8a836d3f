"""Bank transactions in the admin: the list, the import (preview, then save) and the
allocation page, plus the workbench's queue of unmatched credits.

- The list reads the user's agency's credits (``selectors.transactions_in_scope``) with
  filters by status, brand and date; a credit's page reads only, with its allocations.
- "Import bank file" (a list action): upload a CSV, XLSX or camt.053 file with a bank
  preset or a column mapping; the page then shows what the file holds (rows, brand
  matched, already imported, errors) and saves nothing. The upload is kept in storage
  under a token held in the user's session; "Save" imports that same file.
- "Allocate" (on a credit's page and in each row): the suggestions pre-filled, any open
  item of the agency choosable, split over several rows; refusals shown on the form.
"""

import json
import uuid
from pathlib import PurePath
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import action, display
from unfold.widgets import (
    UnfoldAdminDecimalFieldWidget,
    UnfoldAdminFileFieldWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextareaWidget,
)

from accounts.models import Organization
from banking import imports, selectors, services
from banking.models import Allocation, BankTransaction
from common.admin_helpers import ScopedAdminMixin, ScopedInlineMixin, tenant_scope
from common.api.fields import id_value
from common.i18n import one_language
from common.portal import date_text
from common.templatetags.portal import money_text
from core.exceptions import DomainError, RuleViolation
from settlements.models import Statement

PREVIEW_ROWS = 200  # rows the preview lists (the counts cover the whole file)
EXTRA_ROWS = 3  # blank allocation rows under the suggestions
SESSION_KEY = "banking_import_preview"
PRESET_LABELS = {
    "generic": _("Any bank (recognise the headers)"),
    "icbc": _("ICBC"),
    "ccb": _("China Construction Bank"),
    "cmb": _("China Merchants Bank"),
}
REASON_LABELS = {
    "number_in_remark": _("the remark quotes its number"),
    "exact_amount": _("the exact amount outstanding"),
    "oldest": _("oldest open item"),
}


def _staff_agency(user: Any) -> Organization | None:
    return user.organization if getattr(user, "is_agency_staff", False) else None


class ImportForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Organization.objects.none(),
        required=False,
        widget=UnfoldAdminSelectWidget(),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8 or GBK) or XLSX as the bank exports it, or camt.053 XML."),
        widget=UnfoldAdminFileFieldWidget(attrs={"accept": ".csv,.xlsx,.xml"}),
    )
    preset = forms.ChoiceField(
        label=_("Bank"),
        choices=list(PRESET_LABELS.items()),
        initial="generic",
        widget=UnfoldAdminSelectWidget(),
    )
    mapping = forms.CharField(
        label=_("Column mapping (optional)"),
        required=False,
        help_text=_(
            "A JSON object naming the file's column for each field (see the documentation); "
            "it replaces the bank preset."
        ),
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.is_superuser:
            self.fields["agency"].queryset = tenant_scope(
                Organization.objects.filter(kind=Organization.Kind.AGENCY), user
            )
            self.fields["agency"].required = True
        else:
            del self.fields["agency"]

    def clean_mapping(self) -> dict[str, Any] | None:
        text = self.cleaned_data.get("mapping", "").strip()
        if not text:
            return None
        try:
            mapping = json.loads(text)
        except ValueError:
            mapping = None
        problems = imports.mapping_check(mapping)
        if problems:
            raise forms.ValidationError([one_language(p) for p in problems])
        return mapping  # type: ignore[no-any-return]


class AllocationRowForm(forms.Form):
    statement = forms.ModelChoiceField(
        label=_("Statement"),
        queryset=Statement.objects.none(),
        required=False,
        widget=UnfoldAdminSelectWidget(),
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        widget=UnfoldAdminDecimalFieldWidget(),
    )


AllocationFormSet = forms.formset_factory(AllocationRowForm, extra=0)


class AllocationInline(ScopedInlineMixin, TabularInline):
    model = Allocation
    extra = 0
    fields = ["statement", "amount_money", "payment", "created_by", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("amount"))
    def amount_money(self, allocation: Allocation) -> str:
        return money_text(allocation.amount)


@admin.register(BankTransaction)
class BankTransactionAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = [
        "booked_on",
        "amount_money",
        "payer_name",
        "payer_brand",
        "remark",
        "status_badge",
        "allocated_money",
        "bank_ref",
        "allocate_link",
    ]
    list_filter = ["status", "payer_brand", "booked_on", "source"]
    search_fields = ["payer_name", "payer_account", "remark", "bank_ref"]
    list_select_related = ["payer_brand"]
    date_hierarchy = "booked_on"
    inlines = [AllocationInline]
    actions_list = ["import_file"]
    actions_detail = ["allocate"]
    fields = [
        "booked_on",
        "amount",
        "currency",
        "payer_name",
        "payer_account",
        "remark",
        "bank_ref",
        "payer_brand",
        "status",
        "allocated",
        "source",
        "bank_import",
        "created_by",
        "created_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> Any:
        return selectors.transactions_in_scope(request.user).select_related("payer_brand")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # credits come from the bank's file or the API

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a credit is what the bank says; only its allocation changes

    def has_import_file_permission(self, request: HttpRequest) -> bool:
        return self._staff(request) or bool(request.user.is_superuser)

    def has_allocate_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return self.has_import_file_permission(request)

    @display(description=_("amount"), ordering="amount")
    def amount_money(self, credit: BankTransaction) -> str:
        return money_text(credit.amount)

    @display(description=_("allocated"), ordering="allocated")
    def allocated_money(self, credit: BankTransaction) -> str:
        return money_text(credit.allocated)

    @display(
        description=_("status"),
        ordering="status",
        label={
            BankTransaction.Status.UNMATCHED: "danger",
            BankTransaction.Status.PARTIALLY_MATCHED: "warning",
            BankTransaction.Status.MATCHED: "success",
        },
    )
    def status_badge(self, credit: BankTransaction) -> Any:
        return credit.status, credit.get_status_display()

    @display(description=_("allocate"))
    def allocate_link(self, credit: BankTransaction) -> str:
        if credit.status == BankTransaction.Status.MATCHED:
            return ""
        url = reverse("admin:banking_banktransaction_allocate", args=[credit.pk])
        return format_html('<a class="text-primary-600" href="{}">{}</a>', url, gettext("Allocate"))

    # --- import -------------------------------------------------------------------------

    @action(
        description=_("Import bank file"),
        url_path="import",
        icon="upload_file",
        permissions=["import_file"],
    )
    def import_file(self, request: HttpRequest) -> HttpResponse:
        """GET: the upload form. POST with a file: the preview (nothing saved). POST
        with the preview's token: save that file."""
        if not self.has_import_file_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "token" in request.POST:
            return self._import_save(request)
        form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
        context: dict[str, Any] = {"form": form}
        if request.method == "POST" and form.is_valid():
            agency = form.cleaned_data.get("agency") or _staff_agency(request.user)
            upload = form.cleaned_data["file"]
            preset, mapping = form.cleaned_data["preset"], form.cleaned_data["mapping"]
            result = services.bank_transactions_import(
                agency=agency,
                upload=upload,
                name=upload.name,
                by=request.user,
                preset=preset,
                mapping=mapping,
                preview=True,
            )
            context["result"] = self._preview(result)
            if result.ok:
                upload.seek(0)
                suffix = PurePath(upload.name).suffix.lower()[:8]
                stored = default_storage.save(
                    f"bank-imports/preview/{uuid.uuid4().hex}{suffix}", ContentFile(upload.read())
                )
                token = uuid.uuid4().hex
                previews = request.session.get(SESSION_KEY, {})
                previews[token] = {
                    "path": stored,
                    "name": upload.name,
                    "preset": preset,
                    "mapping": mapping,
                    "agency": agency.pk,
                }
                request.session[SESSION_KEY] = previews
                context["token"] = token
        return self._import_page(request, context)

    def _preview(self, result: services.ImportResult) -> dict[str, Any]:
        return {
            "ok": result.ok,
            "format": result.parsed.format,
            "new": len(result.new_rows),
            "duplicates": result.duplicates,
            "debits": result.parsed.debits,
            "rows": [
                {**row, "amount": money_text(row["amount"])}
                for row in result.rows_json(limit=PREVIEW_ROWS)
            ],
            "more": max(len(result.parsed.rows) - PREVIEW_ROWS, 0),
            "columns": result.parsed.columns,
            "errors": [
                {**error, "text": one_language(error["text"])}
                for error in result.parsed.errors.as_json()
            ],
        }

    def _import_page(self, request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
        return TemplateResponse(
            request,
            "admin/banking/import.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Import bank file"),
                "opts": self.model._meta,
                "presets": imports.PRESETS,
                "changelist_url": reverse("admin:banking_banktransaction_changelist"),
                **context,
            },
        )

    def _import_save(self, request: HttpRequest) -> HttpResponse:
        previews = request.session.get(SESSION_KEY, {})
        saved = previews.pop(request.POST["token"], None)
        request.session[SESSION_KEY] = previews
        if saved is None or not default_storage.exists(saved["path"]):
            messages.error(request, gettext("That preview has expired: upload the file again."))
            return HttpResponseRedirect(reverse("admin:banking_banktransaction_import_file"))
        agency = Organization.objects.get(pk=saved["agency"])
        try:
            with default_storage.open(saved["path"], "rb") as handle:
                result = services.bank_transactions_import(
                    agency=agency,
                    upload=handle,
                    name=saved["name"],
                    by=request.user,
                    preset=saved["preset"],
                    mapping=saved["mapping"],
                )
        finally:
            default_storage.delete(saved["path"])
        if not result.ok:  # the stored credits changed since the preview (a future date)
            form = ImportForm(user=request.user)
            return self._import_page(request, {"form": form, "result": self._preview(result)})
        messages.success(
            request,
            gettext("Imported %(created)s credits; %(duplicates)s were already imported.")
            % {"created": result.created, "duplicates": result.duplicates},
        )
        return HttpResponseRedirect(reverse("admin:banking_banktransaction_changelist"))

    # --- allocate -----------------------------------------------------------------------

    @action(
        description=_("Allocate"), url_path="allocate", icon="call_split", permissions=["allocate"]
    )
    def allocate(self, request: HttpRequest, object_id: Any) -> HttpResponse:
        pk = id_value(object_id)
        credit = self.get_queryset(request).filter(pk=pk).first() if pk else None
        if credit is None:
            raise Http404
        if not services.may_work_for(request.user, credit.organization_id):
            raise PermissionDenied
        items = (
            tenant_scope(Statement.objects.open(), request.user)
            .filter(agreement__agency_id=credit.organization_id)
            .exclude(payment_status=Statement.PaymentStatus.PAID)
            .select_related("agreement__brand")
            .annotate(paid=Sum("payments__amount"))
            .order_by("agreement__brand__name", "payment_due_on", "number")
        )
        suggestions = selectors.suggestions_for([credit]).get(credit.pk, [])
        initial = [{"statement": s.statement, "amount": s.amount} for s in suggestions]
        initial += [{}] * EXTRA_ROWS
        formset = AllocationFormSet(request.POST or None, initial=None if request.POST else initial)
        for form in formset.forms:
            form.fields["statement"].queryset = items
            form.fields["statement"].label_from_instance = _item_label
        if request.method == "POST" and formset.is_valid():
            chosen = [
                {"statement": f.cleaned_data["statement"], "amount": f.cleaned_data["amount"]}
                for f in formset.forms
                if f.cleaned_data.get("statement") and f.cleaned_data.get("amount")
            ]
            try:
                services.bank_transaction_allocate(
                    transaction=credit, allocations=chosen, by=request.user
                )
            except DomainError as error:
                problems = (
                    [m for found in error.errors.values() for m in found]
                    if isinstance(error, RuleViolation)
                    else [str(error)]
                )
                formset._non_form_errors = formset.error_class([one_language(p) for p in problems])
            else:
                messages.success(
                    request, gettext("Allocated: a payment was recorded on each item.")
                )
                return HttpResponseRedirect(
                    reverse("admin:banking_banktransaction_change", args=[credit.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Allocate %(ref)s") % {"ref": credit.bank_ref},
            "opts": self.model._meta,
            "credit": credit,
            "amount": money_text(credit.amount),
            "allocated": money_text(credit.allocated),
            "unallocated": money_text(credit.unallocated),
            "booked_on": credit.booked_on,
            "formset": formset,
            "suggestions": [
                {
                    "number": next((i.number for i in items if i.pk == s.statement), s.statement),
                    "amount": money_text(s.amount),
                    "reason": REASON_LABELS[s.reason],
                }
                for s in suggestions
            ],
            "change_url": reverse("admin:banking_banktransaction_change", args=[credit.pk]),
        }
        return TemplateResponse(request, "admin/banking/allocate.html", context)


def _item_label(statement: Statement) -> str:
    outstanding = statement.total_due - (getattr(statement, "paid", None) or 0)
    return f"{statement.number} · {statement.agreement.brand.name} · {money_text(outstanding)}"


# --- the workbench's queue ---------------------------------------------------------------


def unmatched_section(request: HttpRequest, bench: Any) -> Any:
    """The workbench's card of credits with money left to allocate, oldest first."""
    from settlements.admin.workbench import Cell, Section

    credits = list(selectors.unmatched_credits(user=request.user)[:11])
    total = selectors.unmatched_credits(user=request.user).count()
    changelist = reverse("admin:banking_banktransaction_changelist")
    rows = [
        [
            Cell(
                credit.bank_ref,
                reverse("admin:banking_banktransaction_allocate", args=[credit.pk]),
                note=credit.payer_name,
            ),
            Cell(credit.payer_brand.name if credit.payer_brand else "—"),
            Cell(date_text(credit.booked_on)),
            Cell(money_text(credit.unallocated), num=True),
        ]
        for credit in credits[:10]
    ]
    more = {}
    if total:
        more = {
            "more_url": f"{changelist}?status__in=unmatched,partially_matched",
            "more_label": gettext("See all (%(count)s)") % {"count": total},
        }
    return Section(
        key="unmatched-credits",
        title=gettext("Unmatched bank credits"),
        icon="account_balance",
        count=total,
        empty=gettext("Every bank credit is allocated."),
        columns=[
            (gettext("Bank reference"), False),
            (gettext("Brand"), False),
            (gettext("Booked on"), False),
            (gettext("Left to allocate"), True),
        ],
        rows=rows,
        note=gettext("Money received and not yet allocated to what the brands owe."),
        **more,
    )
